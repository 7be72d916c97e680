import type { Command } from "commander";
import type { PlatformClient } from "../../../core/platform/api-client.js";
import type { Menu, MenuProblem } from "../../../core/platform/menu-rules.js";
import { type Cli, required } from "../../context.js";

/** A menu file read and checked: the menu, or the problem the platform would answer, in one line. */
export type CheckedFile =
  | { ok: true; menu: Menu; body: unknown }
  | { ok: false; problem: MenuProblem; message: string; body: unknown };

/** Reads a menu file and checks it with the mock's rules (bad JSON is the platform's 47001). */
export async function readMenuFile(file: string): Promise<CheckedFile> {
  const { readTextFile } = await import("../../../core/support/read-file.js");
  const { validateMenu } = await import("../../../core/platform/menu-rules.js");
  const { ERRMSG } = await import("../../../core/platform/errcodes.js");
  const text = await readTextFile(file, { hint: "name the menu's JSON file" });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const { locateJsonError } = await import("../../../core/support/json-syntax.js");
    const where = locateJsonError(text, error as Error);
    const problem = { errcode: 47001, path: `line ${where.line} column ${where.column}`, reason: where.reason };
    return { ok: false, problem, message: `${problem.path}: not JSON, ${where.reason} (47001)`, body: undefined };
  }
  const checked = validateMenu(body);
  if (checked.ok) return { ok: true, menu: checked.menu, body };
  const { errcode, path, reason } = checked.problem;
  return {
    ok: false,
    problem: checked.problem,
    message: `${path}: ${reason} (${errcode} ${ERRMSG[errcode] ?? ""})`,
    body,
  };
}

/** The client for the mock (--api-base) or the platform: appId and app secret from the settings, as every command. */
export async function clientFor(
  cli: Cli,
  self: Command,
  flags: { apiBase?: string; appId?: string },
): Promise<{ client: PlatformClient; base: string }> {
  const { settings } = cli.settings(self, flags);
  const { PlatformClient } = await import("../../../core/platform/api-client.js");
  const base = settings.apiBase ?? "https://api.weixin.qq.com";
  const client = new PlatformClient({
    appId: required(settings, "appId"),
    appSecret: required(settings, "appSecret"),
    apiBase: base,
  });
  return { client, base };
}
