import type { Duplex } from "node:stream";

/**
 * Closes a connection whose client stays silent (a stranger that connects and never sends, or stops halfway
 * through a request) once nothing has come from it for `ms`, except while an answer is awaited from the app:
 * the forwarded channel would otherwise stay open on both machines for ever.
 */
export class IdleWatch {
  private timer?: NodeJS.Timeout;
  private awaited = 0;

  constructor(
    private readonly channel: Duplex,
    private readonly ms: number,
  ) {
    channel.on("data", () => this.arm());
    channel.once("close", () => clearTimeout(this.timer));
    this.arm();
  }

  /** Runs `work` (the app's answer) with the watch paused, then starts counting again. */
  async during<T>(work: Promise<T>): Promise<T> {
    this.awaited++;
    clearTimeout(this.timer);
    try {
      return await work;
    } finally {
      this.awaited--;
      this.arm();
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.awaited === 0 && !this.channel.destroyed) this.timer = setTimeout(() => this.channel.destroy(), this.ms);
  }
}
