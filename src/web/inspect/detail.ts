import { type ExchangeDetail, exportUrl, type ReplayOutcome, replay } from "./api.js";
import { type Child, h, replace } from "./dom.js";
import { handled } from "./list.js";
import type { ExchangeSummary } from "./api.js";

function pre(label: string, text: string | undefined): Child {
  if (text === undefined || text === "") return null;
  return h("figure", {}, h("figcaption", {}, label), h("pre", { "aria-label": label, tabindex: "0" }, text));
}

function table(label: string, head: string[], rows: (string | undefined)[][]): HTMLElement {
  return h(
    "table",
    { "aria-label": label },
    h("thead", {}, h("tr", {}, ...head.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", {}, cell ?? "(none)"))))),
  );
}

function signatures(detail: ExchangeDetail): HTMLElement {
  return h(
    "ul",
    { class: "signatures", "aria-label": "Signatures" },
    ...detail.signatures.map((verdict) =>
      h(
        "li",
        { class: verdict.ok ? "ok" : "bad" },
        h("strong", {}, verdict.name),
        verdict.ok ? " ✓ valid" : ` ✗ ${verdict.why ?? "wrong"}`,
        h("span", { class: "dim" }, ` (covers ${verdict.covers})`),
        verdict.ok
          ? null
          : h("div", { class: "dim" }, `given ${verdict.given ?? "(none)"} · expected ${verdict.expected ?? "?"}`),
      ),
    ),
  );
}

function verdicts(problems: ExchangeDetail["problems"], refused?: string): HTMLElement {
  if (problems === undefined) {
    const why = refused === undefined ? "no message was answered" : `the server refused the request (${refused})`;
    return h("p", { class: "dim", "aria-label": "Verdicts" }, `— nothing to judge: ${why}`);
  }
  if (problems.length === 0)
    return h("p", { class: "ok", "aria-label": "Verdicts" }, "✓ WeChat would accept this answer");
  return h(
    "ul",
    { "aria-label": "Verdicts" },
    ...problems.map((problem) =>
      h("li", { class: problem.severity }, `${problem.severity} [${problem.code}] ${problem.message}`),
    ),
  );
}

function outcomeView(outcome: ReplayOutcome, detail: ExchangeDetail): HTMLElement {
  const { status } = outcome;
  const verdictText =
    outcome.verdict === "skipped"
      ? `skipped: ${outcome.skipped ?? ""}`
      : status.recorded !== status.today
        ? `${outcome.verdict}: status ${status.recorded} → ${status.today === 0 ? "no answer" : status.today}`
        : outcome.verdict;
  return h(
    "section",
    { "aria-label": "Replay result", class: "replay" },
    h("h3", {}, "Replay: ", h("output", { class: `verdict ${outcome.verdict}` }, verdictText)),
    outcome.forged ? h("p", { class: "dim" }, "sent forged again, as recorded") : null,
    outcome.changes.length === 0
      ? null
      : table(
          "Changes",
          ["field", "recorded", "today"],
          outcome.changes.map((change) => [change.field, change.before, change.after]),
        ),
    h(
      "div",
      { class: "side" },
      pre("Recorded answer", detail.reply.decrypted ?? detail.reply.raw),
      pre("Today's answer", outcome.answer?.decrypted ?? outcome.answer?.raw),
    ),
    outcome.problems.length === 0 ? null : verdicts(outcome.problems),
  );
}

/** What the detail pane needs from the page: the whole list (for deliveries) and how to open another. */
export interface DetailContext {
  exchanges: () => readonly ExchangeSummary[];
  open(id: number): void;
  canReplay: boolean;
  noReplay?: string;
}

function deliveries(detail: ExchangeDetail, context: DetailContext): Child {
  const group = detail.summary.group;
  if (group === undefined) return null;
  const same = context.exchanges().filter((item) => item.group === group && item.source === detail.summary.source);
  if (same.length < 2) return null;
  const times = same.filter(handled).length;
  return h(
    "section",
    { "aria-label": "Deliveries" },
    h("h3", {}, `${same.length} deliveries of ${group} · handled ${times}×`),
    times > 1
      ? h(
          "p",
          { class: "warning" },
          "WeChat sends a message again when no answer comes within 5 s, up to 3 times: the app handled it" +
            " each time. Answer within 5 s, or remember the MsgId (FromUserName + CreateTime for events) and" +
            " handle it once.",
        )
      : null,
    h(
      "ol",
      {},
      ...[...same]
        .reverse()
        .map((item) =>
          h(
            "li",
            {},
            h("button", { type: "button", onclick: () => context.open(item.id) }, `#${item.id}`),
            ` ${new Date(item.time).toTimeString().slice(0, 8)} ${item.status} ${item.latencyMs} ms`,
            item.retry ? " (from the reply cache)" : "",
            item.error === undefined ? "" : ` ${item.error}`,
          ),
        ),
    ),
  );
}

async function copy(text: string, shown: HTMLElement): Promise<void> {
  replace(shown, h("pre", { "aria-label": "Command", tabindex: "0" }, text));
  try {
    await navigator.clipboard.writeText(text);
    shown.append(h("p", { class: "dim" }, "copied"));
  } catch {
    shown.append(h("p", { class: "dim" }, "select and copy it (the browser refused the clipboard)"));
  }
}

/** Renders one exchange, with its actions, into `pane`. */
export function renderDetail(pane: HTMLElement, detail: ExchangeDetail, context: DetailContext): void {
  const { summary } = detail;
  const result = h("div", { class: "result" });
  const commandView = h("div", { class: "command" });
  const editor = h("textarea", { "aria-label": "Message XML", rows: "10", spellcheck: "false" });
  editor.value = detail.plaintext ?? "";
  const editing = h(
    "div",
    { class: "editing", hidden: true },
    editor,
    h("button", { type: "button", onclick: () => void run(editor.value) }, "Send edited"),
  );
  const run = async (edited?: string): Promise<void> => {
    replace(result, h("p", { class: "dim" }, "sending…"));
    try {
      const { outcome } = await replay(summary.id, edited);
      replace(result, outcomeView(outcome, detail));
    } catch (error) {
      replace(result, h("p", { class: "bad", role: "alert" }, (error as Error).message));
    }
  };
  const noReplay = context.canReplay ? undefined : (context.noReplay ?? "no URL to send to");
  const actions = h(
    "div",
    { class: "actions", role: "toolbar", "aria-label": "Actions" },
    h("button", { type: "button", disabled: !context.canReplay, title: noReplay, onclick: () => void run() }, "Replay"),
    h(
      "button",
      {
        type: "button",
        disabled: !context.canReplay || detail.plaintext === undefined,
        title: noReplay,
        onclick: () => {
          editing.hidden = !editing.hidden;
        },
      },
      "Edit and replay",
    ),
    h("a", { href: exportUrl([summary.id]), download: `exchange-${summary.id}.ndjson` }, "Save as NDJSON"),
    detail.commands.simulate === undefined
      ? null
      : h(
          "button",
          { type: "button", onclick: () => void copy(detail.commands.simulate ?? "", commandView) },
          "Copy as wxdev simulate",
        ),
    detail.commands.curl === undefined
      ? null
      : h(
          "button",
          { type: "button", onclick: () => void copy(detail.commands.curl ?? "", commandView) },
          "Copy as curl",
        ),
  );
  const when = new Date(summary.time);
  replace(
    pane,
    h(
      "h2",
      {},
      `#${summary.id} ${summary.kind ?? summary.method}${summary.encrypted ? " 🔒" : ""} · `,
      h(
        "span",
        { class: `status s${Math.floor(summary.status / 100)}xx` },
        summary.status === 0 ? "no answer" : String(summary.status),
      ),
      ` · ${summary.latencyMs} ms`,
    ),
    h(
      "p",
      { class: "dim" },
      [
        when.toLocaleString(),
        `${summary.method} ${summary.path}`,
        `${detail.mode} mode`,
        `seen by ${summary.source}`,
      ].join(" · "),
    ),
    summary.error === undefined ? null : h("p", { class: "bad", "aria-label": "Reason" }, `Why: ${summary.error}`),
    summary.retry ? h("p", { class: "dim" }, "answered from the reply cache: WeChat's retry, not handled again") : null,
    actions,
    editing,
    commandView,
    result,
    deliveries(detail, context),
    h("h3", {}, "Request"),
    table("Query", ["parameter", "value"], detail.query),
    signatures(detail),
    detail.requestProblem === undefined ? null : h("p", { class: "bad" }, detail.requestProblem),
    detail.truncated === undefined
      ? null
      : h(
          "p",
          { class: "dim" },
          `kept in part: body ${detail.truncated.body} bytes, reply ${detail.truncated.reply} bytes`,
        ),
    pre("Body", detail.body),
    detail.ciphertext === undefined
      ? null
      : h("div", { class: "side" }, pre("Ciphertext", detail.ciphertext), pre("Decrypted message", detail.plaintext)),
    detail.appId === undefined ? null : h("p", { class: "dim" }, `appId inside: ${detail.appId}`),
    detail.fields.length === 0 ? null : table("Fields", ["field", "value"], detail.fields),
    h("h3", {}, "Answer"),
    h("div", { class: "side" }, pre("Reply", detail.reply.raw), pre("Decrypted reply", detail.reply.decrypted)),
    detail.reply.problem === undefined ? null : h("p", { class: "bad" }, detail.reply.problem),
    h("h3", {}, "Verdicts"),
    verdicts(detail.problems, summary.error),
  );
}
