import { escapeHtml, page } from "../oauth/html.js";
import { FIXTURE_USERS } from "./sns-users.js";

/** The consent page for snsapi_userinfo: pick a fixture user, then allow or deny. */
export function consentPage(fields: Record<string, string>, appId: string): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  const users = FIXTURE_USERS.map(
    (user, index) =>
      `<label><input type="radio" name="user" value="${index}"${index === 0 ? " checked" : ""}> ` +
      `${escapeHtml(user.nickname)}</label><br>`,
  ).join("");
  return page(
    "微信授权 · wxdev mock",
    `<div class="card"><h1>网页授权</h1>
<p><b>${escapeHtml(appId)}</b> 申请获取你的昵称、头像</p>
<p class="muted">wxdev mock: this page stands in for the one WeChat shows inside the app.</p>
<form method="POST" action="/connect/oauth2/authorize/confirm">${hidden}
<p>${users}</p>
<button class="allow" type="submit" name="decision" value="allow" id="allow">允许 Allow</button>
<button class="deny" type="submit" name="decision" value="deny" id="deny">拒绝 Deny</button>
</form></div>`,
  );
}
