/**
 * What is wrong with an answer, in words a developer can act on: the vocabulary of the reply rules, the
 * JS-SDK checks and the client's verdicts.
 */

/** An error makes WeChat drop the reply; a warning is accepted but fragile (protocol §4). */
export type Severity = "error" | "warning";

/** One thing wrong with an answer, with a stable code and advice in the message. */
export interface Problem {
  severity: Severity;
  code: string;
  message: string;
}

/** An error-level problem: WeChat would not accept the answer. */
export const errorProblem = (code: string, message: string): Problem => ({ severity: "error", code, message });

/** A warning-level problem: accepted, but fragile. */
export const warningProblem = (code: string, message: string): Problem => ({ severity: "warning", code, message });

/** True when a body is an HTML page (a framework error or login page) rather than what WeChat expects. */
export function looksLikeHtml(body: string): boolean {
  return /^<(!doctype\s+html|html)/i.test(body.trim());
}

/** A JSON body or a Python dict's repr (`{"xml": …}`, `{'xml': …}`) where WeChat needs XML; else undefined. */
export function jsonReplyProblem(body: string): Problem | undefined {
  const trimmed = body.trim();
  if (!/^[{[]/.test(trimmed)) return undefined;
  const what = /^\{\s*'/.test(trimmed) ? "a Python dict" : "JSON";
  return errorProblem(
    "json-reply",
    `the server answered ${what}; WeChat needs XML (e.g. xmltodict.unparse({"xml": …}))`,
  );
}
