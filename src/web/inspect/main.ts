import { type ExchangeSummary, exportUrl, getDetail, getExchanges, getInfo, type InspectInfo, watch } from "./api.js";
import { renderDetail } from "./detail.js";
import { h, replace } from "./dom.js";
import { type Filters, groupsOf, renderRows, statusClass } from "./list.js";

/** The page's state: the exchanges newest first (at most info.keep), the filters, the one open, the ones chosen. */
const state = {
  info: undefined as InspectInfo | undefined,
  exchanges: [] as ExchangeSummary[],
  filters: { kind: "", status: "", openid: "" } as Filters,
  selected: undefined as number | undefined,
  chosen: new Set<number>(),
};

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const rows = element<HTMLTableSectionElement>("rows");
const pane = element<HTMLElement>("detail");
const kindFilter = element<HTMLSelectElement>("kind");
const statusFilter = element<HTMLSelectElement>("status");
const openidFilter = element<HTMLInputElement>("openid");
const save = element<HTMLAnchorElement>("save");
const count = element<HTMLElement>("count");

function options(select: HTMLSelectElement, values: string[], label: (value: string) => string): void {
  // Rebuilt only when the choices change: a select the user has open must stay open while exchanges arrive.
  const key = values.join("\n");
  if (select.dataset.values === key) return;
  select.dataset.values = key;
  const current = select.value;
  replace(select, h("option", { value: "" }, "all"), ...values.map((value) => h("option", { value }, label(value))));
  select.value = values.includes(current) ? current : "";
}

function render(): void {
  const kinds = [...new Set(state.exchanges.map((summary) => summary.kind ?? summary.method))].sort();
  const statuses = [...new Set(state.exchanges.map((summary) => statusClass(summary.status)))].sort();
  options(kindFilter, kinds, (kind) => kind);
  options(statusFilter, statuses, (status) => status);
  const groups = groupsOf(state.exchanges, state.filters);
  renderRows(rows, groups, state.selected, state.chosen, { open, choose });
  const keep = state.info?.keep ?? 0;
  count.textContent = `${state.exchanges.length} exchanges (the last ${keep} are kept) · ${groups.length} shown`;
  const chosen = [...state.chosen];
  save.href = exportUrl(chosen);
  save.textContent = `Save selection as NDJSON (${chosen.length})`;
  save.setAttribute("aria-disabled", chosen.length === 0 ? "true" : "false");
}

function choose(ids: number[], on: boolean): void {
  for (const id of ids) on ? state.chosen.add(id) : state.chosen.delete(id);
  render();
}

async function open(id: number): Promise<void> {
  state.selected = id;
  render();
  try {
    const detail = await getDetail(id);
    if (state.selected !== id) return;
    renderDetail(pane, detail, {
      exchanges: () => state.exchanges,
      open: (other) => void open(other),
      canReplay: state.info?.replayTo !== undefined,
      noReplay: state.info?.noReplay,
    });
  } catch (error) {
    replace(pane, h("p", { class: "bad", role: "alert" }, (error as Error).message));
  }
}

let pending = false;
/** Adds an exchange as it happens; a burst is drawn once per frame. */
function arrived(summary: ExchangeSummary): void {
  if (state.exchanges.some((known) => known.id === summary.id)) return;
  state.exchanges.unshift(summary);
  const keep = state.info?.keep ?? 500;
  if (state.exchanges.length > keep) {
    for (const dropped of state.exchanges.splice(keep)) state.chosen.delete(dropped.id);
  }
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

async function start(): Promise<void> {
  state.info = await getInfo();
  element("title").textContent = state.info.title;
  element("about").textContent =
    `${state.info.mode} mode · token ${state.info.token} · ` +
    (state.info.replayTo === undefined
      ? `no replay: ${state.info.noReplay ?? "no URL"}`
      : `replays go to ${state.info.replayTo}`);
  const live = element("live");
  watch(arrived, (on) => {
    live.textContent = on ? "● live" : "○ reconnecting…";
    live.className = on ? "ok" : "bad";
  });
  for (const summary of await getExchanges()) arrived(summary);
  state.exchanges.sort((a, b) => b.id - a.id);
  render();
}

kindFilter.addEventListener("change", () => {
  state.filters.kind = kindFilter.value;
  render();
});
statusFilter.addEventListener("change", () => {
  state.filters.status = statusFilter.value;
  render();
});
openidFilter.addEventListener("input", () => {
  state.filters.openid = openidFilter.value.trim();
  render();
});
save.addEventListener("click", (event) => {
  if (state.chosen.size === 0) event.preventDefault();
});

start().catch((error: Error) => replace(pane, h("p", { class: "bad", role: "alert" }, error.message)));
