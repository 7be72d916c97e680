import type { SingleBar } from "cli-progress";

/** A live progress bar on stderr (cli-progress); only for terminals. */
export async function startProgress(
  total: number,
  unit: string,
): Promise<{ update(done: number, detail?: string): void; stop(): void }> {
  const { default: progress } = await import("cli-progress");
  const bar: SingleBar = new progress.SingleBar(
    {
      format: total > 0 ? `{bar} {percentage}% | {value}/{total} ${unit}{detail}` : `{value} ${unit}{detail}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    progress.Presets.shades_classic,
  );
  bar.start(total, 0, { detail: "" });
  return {
    update: (done, detail) => bar.update(done, { detail: detail ? ` | ${detail}` : "" }),
    stop: () => bar.stop(),
  };
}
