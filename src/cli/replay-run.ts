import type { Target } from "../core/client/target.js";
import type { Cli } from "./context.js";
import { type ExitCode, exitCodeFor } from "./exit-code.js";
import type { Output } from "./output.js";

/** Reads a recording (a file, or stdin for `-`), named in errors by its file name. */
async function readRecording(cli: Cli, file: string): Promise<{ text: string; source: string }> {
  if (file === "-") return { text: await cli.input("-", "recording"), source: "stdin" };
  const { readTextFile } = await import("../core/read-file.js");
  return { text: await readTextFile(file, { hint: "check the --replay path" }), source: file };
}

/** `simulate --replay FILE`: sends the recording again, printing a line per record as it is answered. */
export async function runReplay(cli: Cli, out: Output, target: Target, file: string): Promise<ExitCode> {
  const { parseRecords } = await import("../core/exchange-record.js");
  const { replay } = await import("../core/client/replay.js");
  const { renderReplayOutcome, renderReplaySummary, replayJson } = await import("./replay-print.js");
  const { text, source } = await readRecording(cli, file);
  const records = parseRecords(text, source);
  const report = await replay(records, target, {
    source,
    onOutcome: out.json ? undefined : (outcome) => renderReplayOutcome(out, outcome),
  });
  if (out.json) out.printJson(replayJson(report));
  else renderReplaySummary(out, report);
  return exitCodeFor(report.ok);
}
