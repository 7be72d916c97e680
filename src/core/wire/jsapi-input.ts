/**
 * What the JS-SDK documentation says about the values `wx.config` signs, and nothing more: the signature
 * algorithm accepts any nonceStr and ticket, so only what would break `wx.config` is an error; what is only
 * a habit or another API's rule is a warning. Each message names its source.
 */
import { errorProblem as error, type Problem, warningProblem as warning } from "./problem.js";
import type { JsapiSignInput } from "./jsapi.js";

/** chooseWXPay's nonceStr, "不长于32位" (JS-SDK documentation, chooseWXPay): not a rule of wx.config. */
const PAY_NONCE_MAX = 32;
/** Seconds since the epoch fit in 10 digits until the year 2286; more is milliseconds. */
const SECONDS_DIGITS = 10;

function nonceProblems(nonceStr: string): Problem[] {
  if (nonceStr === "")
    return [error("nonce-empty", "nonceStr is empty: wx.config requires one (JS-SDK documentation, wx.config)")];
  const problems: Problem[] = [];
  if (nonceStr.length > PAY_NONCE_MAX)
    problems.push(
      warning(
        "nonce-long",
        `nonceStr is ${nonceStr.length} characters: wx.config documents no limit (WxJava signs 36-character` +
          ` UUIDs), but chooseWXPay's is at most ${PAY_NONCE_MAX} (JS-SDK documentation, chooseWXPay)`,
      ),
    );
  if (/[\s\p{Cc}]/u.test(nonceStr))
    problems.push(
      warning(
        "nonce-space",
        "nonceStr holds white space or control characters: signed as given, but the documentation's nonces are" +
          " letters and digits (JS-SDK documentation, appendix 1): a paste slip?",
      ),
    );
  return problems;
}

function timestampProblems(timestamp: string): Problem[] {
  if (!/^\d+$/.test(timestamp))
    return [
      error(
        "timestamp-number",
        `timestamp ${JSON.stringify(timestamp)} is not whole digits: wx.config takes it as a number` +
          " (JS-SDK documentation, wx.config), and the signature covers its decimal text",
      ),
    ];
  if (/^0\d/.test(timestamp))
    return [
      error(
        "timestamp-zero",
        `timestamp ${timestamp} starts with 0: wx.config takes it as a number (JS-SDK documentation, wx.config),` +
          " which drops the zero, so the page's signature would not match",
      ),
    ];
  if (timestamp.length > SECONDS_DIGITS)
    return [
      warning(
        "timestamp-ms",
        `timestamp ${timestamp} looks like milliseconds: the documentation's example (1414587457, appendix 1)` +
          " and the SDKs sign seconds",
      ),
    ];
  return [];
}

/** Errors (wx.config could not use the value) and warnings (signed as given, but unusual) for a JS-SDK signature. */
export function jsapiInputProblems(
  input: Partial<Pick<JsapiSignInput, "ticket" | "nonceStr" | "timestamp">>,
): Problem[] {
  const problems: Problem[] = [];
  if (input.nonceStr !== undefined) problems.push(...nonceProblems(input.nonceStr));
  if (input.timestamp !== undefined) problems.push(...timestampProblems(input.timestamp));
  if (input.ticket !== undefined && /\s/.test(input.ticket))
    problems.push(
      warning(
        "ticket-space",
        "the jsapi_ticket holds white space: signed as given, but getticket returns none (JS-SDK documentation," +
          " appendix 1): pass it exactly as getticket returned it",
      ),
    );
  return problems;
}
