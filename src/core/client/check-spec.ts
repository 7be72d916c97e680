import type { XmlRecord } from "../wire/xml.js";
import type { ExchangeResult } from "./exchange.js";
import type { Target } from "./target.js";

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

/** One line of the conformance table. */
export interface CheckResult {
  id: string;
  title: string;
  required: boolean;
  status: CheckStatus;
  reason: string;
  /** Why the run stopped after this check (the others would only repeat its failure). */
  stopped?: string;
}

/** What every check is given: the server, and the sender and account its messages name. */
export interface CheckContext {
  target: Target;
  header: { toUserName: string; fromUserName: string };
}

/** `stopped`: why the checks after this one would only repeat its failure (nothing answered, a wrong Token). */
export type Outcome = Pick<CheckResult, "status" | "reason" | "stopped">;

/** One check of the suite: what it proves, whether a failure makes the server not ready, and how it runs. */
export interface CheckSpec {
  id: string;
  title: string;
  required: boolean;
  run: (context: CheckContext) => Promise<Outcome>;
}

/** "text reply", or what it is when it has no MsgType to name it by. */
function replyName(reply: XmlRecord | null): string {
  const type = reply?.MsgType;
  return typeof type === "string" && type !== "" ? `${type} reply` : "a reply without MsgType";
}

/** pass / warn / fail from an exchange: errors fail, warnings warn. */
export function judged(result: ExchangeResult): Outcome {
  const errors = result.problems.filter((problem) => problem.severity === "error");
  if (errors.length > 0) return { status: "fail", reason: errors.map((problem) => problem.message).join("; ") };
  const warnings = result.problems.map((problem) => problem.message);
  const what = result.replyKind === "none" ? "no reply (success)" : replyName(result.reply);
  return warnings.length > 0
    ? { status: "warn", reason: `${what}; ${warnings.join("; ")}` }
    : { status: "pass", reason: `${what} in ${Math.round(result.latencyMs)} ms` };
}
