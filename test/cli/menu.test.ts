import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { APP_ID } from "../helpers/fixtures.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const SECRET = "menusecret";
let mock: RunningMock;
let dir: string;
const temp = tempDirs();
beforeAll(async () => {
  mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET }).listen();
  dir = temp("wxdev-menu-");
});
afterAll(() => mock.close());

const env = { WXDEV_APP_ID: APP_ID, WXDEV_APP_SECRET: SECRET };
const file = (name: string, menu: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof menu === "string" ? menu : JSON.stringify(menu, null, 2));
  return path;
};
const menu = (...args: string[]) => runMain(["menu", ...args], { cwd: dir, env });
const GOOD = {
  button: [
    { type: "click", name: "今日歌曲", key: "V1001_TODAY_MUSIC" },
    { name: "菜单", sub_button: [{ type: "view", name: "搜索", url: "http://www.soso.com/" }] },
  ],
};

describe("wxdev menu validate (offline, the mock's rules)", () => {
  it("a good menu: exit 0", async () => {
    const result = await menu("validate", file("good.json", GOOD));
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain("a valid menu (2 buttons, 1 sub-button)");
  });

  it("names the failing path and the errcode: exit 1", async () => {
    const bad = {
      button: [GOOD.button[0], { name: "菜单", sub_button: [{ type: "view", name: "搜索", url: "www.soso.com" }] }],
    };
    const result = await menu("validate", file("bad.json", bad));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "button[1].sub_button[0].url: not an http:// or https:// URL (40054 invalid sub button url domain)",
    );
    const long = await menu(
      "validate",
      file("long.json", { button: [{ type: "click", name: "七个汉字的名字", key: "k" }] }),
    );
    expect(long.stdout).toContain(
      "button[0].name: 21 bytes: at most 16 (UTF-8; a 汉字 is 3) (40018 invalid button name size)",
    );
  });

  it("not JSON: where, and 47001; no such file: exit 2", async () => {
    const result = await menu("validate", file("broken.json", '{"button": [\n  {"name": "x",}\n]}'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/line 2 column \d+: not JSON, .*\(47001\)/);
    const missing = await menu("validate", join(dir, "none.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("wxdev menu against the mock", () => {
  const api = ["--api-base", "" as string];
  beforeAll(() => {
    api[1] = mock.origin;
  });

  it("pull with no menu; push; pull (and --json as menu/create takes it); diff; delete", async () => {
    expect((await menu("pull", ...api)).stdout).toContain("no menu in force");
    const pushed = await menu("push", file("menu.json", GOOD), ...api);
    expect(pushed).toMatchObject({ code: 0 });
    expect(pushed.stdout).toContain(`is in force on ${mock.origin}`);
    const pulled = await menu("pull", ...api);
    expect(pulled.stdout).toMatch(/今日歌曲 {2}click {2}V1001_TODAY_MUSIC/);
    const json = await runMain(["--json", "menu", "pull", ...api], { cwd: dir, env });
    const inForce = JSON.parse(json.stdout);
    expect(inForce.button[1].sub_button[0]).toEqual({ ...GOOD.button[1]!.sub_button![0], sub_button: [] });
    expect((await menu("diff", file("same.json", json.stdout), ...api)).stdout).toContain("no change");
    const changed = { button: [{ ...GOOD.button[0], name: "歌曲" }] };
    const diff = await menu("diff", file("changed.json", changed), ...api);
    expect(diff.stdout).toContain('~ button[0].name: "今日歌曲" → "歌曲"');
    expect(diff.stdout).toContain('- button[1].sub_button[0].url: "http://www.soso.com/"');
    expect((await menu("delete", ...api)).code).toBe(0);
    expect((await menu("pull", ...api)).stdout).toContain("no menu in force");
  });

  it("an invalid file is not pushed (exit 1); a wrong secret: 40125 (exit 1); no secret: exit 2", async () => {
    const bad = await menu("push", file("four.json", { button: [1, 2, 3, 4] }), ...api);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("(not pushed)");
    const wrong = await runMain(["menu", "pull", ...api], { cwd: dir, env: { ...env, WXDEV_APP_SECRET: "nope" } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("errcode 40125");
    expect(wrong.stderr).not.toContain("nope");
    const none = await runMain(["menu", "pull", ...api], { cwd: dir, env: { WXDEV_APP_ID: APP_ID } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("WXDEV_APP_SECRET");
  });
});
