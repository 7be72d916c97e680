import type { Writable } from "node:stream";

/**
 * Lines for a busy log (serve's one line per exchange), gathered and written once per turn of
 * the event loop: a burst of requests costs one write(2), not one each, which matters because
 * Node writes stdout to a file synchronously.
 */
export class BatchedLines {
  private pending = "";
  private scheduled = false;

  constructor(private readonly out: Writable) {}

  line(text: string): void {
    this.pending += `${text}\n`;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes what is gathered now (also before the process ends). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    this.out.write(text);
  };
}
