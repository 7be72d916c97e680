import type { ExchangeSummary } from "./api.js";
import { h, replace } from "./dom.js";

/** WeChat's budget for an answer: the latency bar is drawn against it. */
const BUDGET_MS = 5000;

/** The filters the list is shown through. */
export interface Filters {
  kind: string;
  status: string;
  openid: string;
}

/** Deliveries of one message: WeChat's retries (same MsgId, or sender and CreateTime) shown as one row. */
export interface Group {
  key: string;
  /** Newest first. */
  deliveries: ExchangeSummary[];
}

/** A delivery the app handled: answered by it (not from a reply cache), not refused, not the tunnel's own answer. */
export const handled = (summary: ExchangeSummary): boolean =>
  !summary.retry && summary.error === undefined && summary.status === 200;

export function statusClass(status: number): string {
  if (status === 0) return "none";
  return `${Math.floor(status / 100)}xx`;
}

function matches(summary: ExchangeSummary, filters: Filters): boolean {
  if (filters.kind !== "" && (summary.kind ?? summary.method) !== filters.kind) return false;
  if (filters.status !== "" && statusClass(summary.status) !== filters.status) return false;
  return filters.openid === "" || (summary.openid ?? "").includes(filters.openid);
}

/** The exchanges (newest first) in groups, newest group first, through the filters. */
export function groupsOf(exchanges: readonly ExchangeSummary[], filters: Filters): Group[] {
  const groups: Group[] = [];
  const byKey = new Map<string, Group>();
  for (const summary of exchanges) {
    if (!matches(summary, filters)) continue;
    const key = summary.group === undefined ? `#${summary.id}` : `${summary.source} ${summary.group}`;
    const group = byKey.get(key);
    if (group === undefined) {
      const made = { key, deliveries: [summary] };
      byKey.set(key, made);
      groups.push(made);
    } else group.deliveries.push(summary);
  }
  return groups;
}

const clip = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

function latencyBar(latencyMs: number): HTMLElement {
  const share = Math.min(latencyMs / BUDGET_MS, 1);
  const late = latencyMs > BUDGET_MS ? " late" : latencyMs > BUDGET_MS / 2 ? " slow" : "";
  const bar = h("span", { class: `bar${late}` });
  bar.style.width = `${(share * 100).toFixed(1)}%`; // a style attribute would need CSP's unsafe-inline
  return h(
    "span",
    { class: "latency", title: `${latencyMs} ms of WeChat's 5000 ms` },
    bar,
    h(
      "span",
      { class: "ms" },
      `${latencyMs >= 1000 ? (latencyMs / 1000).toFixed(2) : latencyMs} ${latencyMs >= 1000 ? "s" : "ms"}`,
    ),
  );
}

function deliveriesText(group: Group): string {
  const count = group.deliveries.length;
  if (count === 1) return "";
  return `×${count} · handled ${group.deliveries.filter(handled).length}×`;
}

/** Renders the list's rows into `body`; `selected` gets the mark, `chosen` are ticked for saving. */
export function renderRows(
  body: HTMLElement,
  groups: readonly Group[],
  selected: number | undefined,
  chosen: ReadonlySet<number>,
  actions: { open(id: number): void; choose(ids: number[], on: boolean): void },
): void {
  const rows = groups.map((group) => {
    const newest = group.deliveries[0] as ExchangeSummary;
    const ids = group.deliveries.map((summary) => summary.id);
    const time = new Date(newest.time);
    const current = ids.includes(selected ?? -1);
    return h(
      "tr",
      {
        class: `${current ? "selected " : ""}s${statusClass(newest.status)}`,
        "aria-selected": current ? "true" : "false",
        "data-id": String(newest.id),
        tabindex: "0",
        onclick: () => actions.open(newest.id),
        onkeydown: (event: Event) => {
          if ((event as KeyboardEvent).key === "Enter") actions.open(newest.id);
        },
      },
      h(
        "td",
        {},
        h("input", {
          type: "checkbox",
          "aria-label": `Choose #${newest.id}`,
          checked: ids.every((id) => chosen.has(id)),
          onclick: (event: Event) => {
            event.stopPropagation();
            actions.choose(ids, (event.target as HTMLInputElement).checked);
          },
        }),
      ),
      h("td", { class: "time" }, Number.isNaN(time.getTime()) ? "" : time.toTimeString().slice(0, 8)),
      h(
        "td",
        { class: "kind" },
        newest.kind ?? `${newest.method} ${newest.path}`,
        newest.encrypted ? " 🔒" : "",
        newest.content === undefined ? null : h("div", { class: "said" }, clip(newest.content)),
      ),
      h("td", { class: "openid" }, newest.openid ?? ""),
      h("td", { class: "status" }, newest.status === 0 ? "—" : String(newest.status)),
      h("td", {}, latencyBar(newest.latencyMs)),
      h("td", { class: "deliveries" }, deliveriesText(group)),
    );
  });
  replace(body, ...rows);
}
