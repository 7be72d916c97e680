/** Escapes text for HTML element content and attribute values. */
const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The system font, then the usual Chinese ones. */
const FONTS = '-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif';

/** A small, self-contained HTML page (no external assets: it must work offline). */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:${FONTS};max-width:420px;margin:2rem auto;padding:0 1rem;color:#222}
.card{border:1px solid #ddd;border-radius:12px;padding:1.5rem;text-align:center}
button{font-size:1rem;padding:.7rem 1.2rem;margin:.3rem;border-radius:8px;border:1px solid #07c160;cursor:pointer}
button.allow{background:#07c160;color:#fff} button.deny{background:#fff;color:#07c160}
.error{border-color:#e64340} .code{color:#e64340;font-size:1.4rem} .muted{color:#888;font-size:.9rem}
dl{text-align:left} dt{color:#888} dd{margin:0 0 .6rem 0;word-break:break-all}
</style></head><body>${body}</body></html>`;
}

/** An error page: the code, what it means, what to do, and optionally a link that does it. */
export function errorPage(
  title: string,
  code: number | string,
  message: string,
  advice?: string,
  link?: { href: string; text: string },
): string {
  const more = advice ? `<p class="muted">${escapeHtml(advice)}</p>` : "";
  const action = link ? `<p><a id="action" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : "";
  return page(
    title,
    `<div class="card error"><p class="code" id="errcode">${escapeHtml(String(code))}</p>` +
      `<h1>${escapeHtml(title)}</h1><p id="errmsg">${escapeHtml(message)}</p>${more}${action}</div>`,
  );
}
