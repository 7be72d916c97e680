import type { ExchangeResult } from "../../core/client/exchange.js";
import { h } from "./dom.js";

/** What the client shows for each kind of answer (ExchangeResult.replyKind). */
const KIND_WORDS: Record<ExchangeResult["replyKind"], string> = {
  none: "no reply (success or empty): the follower sees nothing",
  reply: "a reply the client shows",
  invalid: "a reply WeChat rejects: the follower sees the failure notice",
  failed: "no usable answer: the follower sees the failure notice",
};

/** A labelled block of text (XML, a body) that keeps its lines; empty text says so. */
function block(label: string, text: string | undefined): HTMLElement | undefined {
  if (text === undefined) return undefined;
  return h("details", { class: "wx-block" }, h("summary", null, label), h("pre", null, text === "" ? "(empty)" : text));
}

/**
 * One exchange as the panels draw it, from the exchange's own record (ExchangeResult): status and latency, the
 * verdicts of the reply rules, then the request and the answer, decrypted where they were encrypted.
 */
export function exchangeView(result: ExchangeResult, title: string): HTMLElement {
  const verdicts = result.problems.map((problem) =>
    h("li", { class: `wx-problem wx-${problem.severity}` }, h("b", null, `${problem.code}`), ` ${problem.message}`),
  );
  const encrypted = result.request.plaintext !== undefined;
  return h(
    "section",
    { class: `wx-exchange ${result.ok ? "wx-ok" : "wx-bad"}`, "aria-label": title },
    h(
      "header",
      null,
      h("span", { class: "wx-verdict" }, result.ok ? "✓" : "✗"),
      ` ${title} `,
      h("span", { class: "wx-meta" }, `HTTP ${result.status || "—"} · ${Math.round(result.latencyMs)} ms`),
    ),
    h("p", { class: "wx-kind" }, KIND_WORDS[result.replyKind]),
    verdicts.length > 0 ? h("ul", { class: "wx-problems" }, ...verdicts) : h("p", { class: "wx-fine" }, "no problems"),
    block(encrypted ? "request (decrypted)" : "request", result.request.plaintext ?? result.request.body),
    encrypted ? block("request as sent (encrypted)", result.request.body) : undefined,
    block(result.decrypted === undefined ? "reply" : "reply (decrypted)", result.decrypted ?? result.raw),
    result.decrypted === undefined ? undefined : block("reply as received (encrypted)", result.raw),
  );
}
