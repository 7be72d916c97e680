import type { Target } from "../../../core/client/target.js";
import type { Cli } from "../../context.js";
import { ExitCode, exitCodeFor } from "../../exit-code.js";
import type { Output } from "../../output.js";

/** Reads a recording (a file, or stdin for `-`), named in errors by its file name. */
async function readRecording(cli: Cli, file: string): Promise<{ text: string; source: string }> {
  if (file === "-") return { text: await cli.input("-", "recording"), source: "stdin" };
  const { readTextFile } = await import("../../../core/support/read-file.js");
  return { text: await readTextFile(file, { hint: "check the --replay path" }), source: file };
}

/** `simulate --replay FILE`: sends the recording again, printing a line per record as it is answered. */
export async function runReplay(cli: Cli, out: Output, target: Target, file: string): Promise<ExitCode> {
  const { parseRecords } = await import("../../../core/wire/exchange-record.js");
  const { replay } = await import("../../../core/client/replay.js");
  const { renderReplayOutcome, renderReplaySummary, replayJson } = await import("./replay-print.js");
  const { text, source } = await readRecording(cli, file);
  const records = parseRecords(text, source);
  const { onStop } = await import("../../on-stop.js");
  // Ctrl-C stops after the record in flight and still reports what was replayed, as load mode does.
  const interrupt = onStop({ terminate: false });
  const report = await replay(records, target, {
    source,
    signal: interrupt.signal,
    onOutcome: out.json ? undefined : (outcome) => renderReplayOutcome(out, outcome),
  }).finally(interrupt.dispose);
  if (report.interrupted) out.note("interrupted (Ctrl-C): the report covers the records replayed so far");
  if (out.json) out.printJson(replayJson(report));
  else renderReplaySummary(out, report);
  return report.interrupted ? ExitCode.Interrupted : exitCodeFor(report.ok);
}
