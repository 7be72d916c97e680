import type { FieldChange, ReplayOutcome, ReplayReport } from "../../../core/client/replay.js";
import type { Output } from "../../output.js";
import { renderProblems, summarise } from "../../messages/render.js";

const MAX_VALUE = 60;

function shown(value: string | undefined): string {
  if (value === undefined) return "(none)";
  return JSON.stringify(value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value);
}

function changeText(change: FieldChange): string {
  return `${change.field} ${shown(change.before)} → ${shown(change.after)}`;
}

function what(outcome: ReplayOutcome): string {
  if (outcome.kind === "handshake") return "handshake";
  if (outcome.message !== null) return summarise(outcome.message, "message");
  return "request";
}

function verdictText(out: Output, outcome: ReplayOutcome): string {
  const { status } = outcome;
  if (outcome.verdict === "skipped") return out.c.dim(`skipped: ${outcome.skipped ?? ""}`);
  if (outcome.verdict === "same") return out.ok("same");
  if (status.recorded !== status.today)
    return out.bad(`status ${status.recorded} → ${status.today === 0 ? "no answer" : status.today}`);
  if (outcome.verdict === "differs") return out.bad(`differs: ${outcome.changes.map(changeText).join(", ")}`);
  return out.bad("same answer, but WeChat would reject it");
}

/** One line per replayed record (`#3  text: "hi"  same`), and today's problems under a changed or failed one. */
export function renderReplayOutcome(out: Output, outcome: ReplayOutcome): void {
  const timing = outcome.verdict === "skipped" ? "" : out.c.dim(`  (${Math.round(outcome.latencyMs)} ms)`);
  const forged = outcome.forged ? out.c.dim(" (sent forged, as recorded)") : "";
  out.line(`#${outcome.index}  ${what(outcome)}${forged}  ${verdictText(out, outcome)}${timing}`);
  if (outcome.verdict !== "same") renderProblems(out, outcome.problems);
}

/** The closing summary: how many were the same, differed, failed or were skipped. */
export function renderReplaySummary(out: Output, report: ReplayReport): void {
  const { same, differs, failed, skipped } = report.counts;
  const replayed = same + differs + failed;
  const counts = `${same} same, ${differs} differ, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`;
  out.line(
    report.ok
      ? `${out.ok("✓")} ${replayed} replayed: ${counts}: the server answers as recorded`
      : `${out.bad("✗")} ${replayed} replayed: ${counts}`,
  );
}

/** The JSON document of a replay (simulate --replay --json): the verdict, the counts, each record's outcome. */
export function replayJson(report: ReplayReport): Record<string, unknown> {
  return {
    ok: report.ok,
    interrupted: report.interrupted,
    ...report.counts,
    messages: report.outcomes.map(({ answer: _answer, ...outcome }) => ({
      ...outcome,
      latencyMs: Math.round(outcome.latencyMs * 10) / 10,
    })),
  };
}
