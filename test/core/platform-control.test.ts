import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockPlatform } from "../../src/core/platform/server.js";
import { loadState, StateWriter } from "../../src/core/platform/state-file.js";
import { PlatformStore } from "../../src/core/platform/store.js";
import { APP_ID } from "../helpers/fixtures.js";
import { control, errcodeOf, type Platform, SECRET, sdkFor, startPlatform } from "../helpers/platform.js";

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform("plain");
});
afterAll(() => platform.close());

describe("the control endpoints", () => {
  it("move the clock: a token expires without waiting", async () => {
    const { accessToken } = await platform.sdk("getAccessToken");
    const moved = await control(platform.mock.origin, "clock", { advance: "2h" });
    expect(moved.offsetMs).toBe(7_200_000);
    expect(await errcodeOf(sdkFor(platform.mock.origin, accessToken)("getFollowers"))).toBe(42001);
    expect(await control(platform.mock.origin, "clock", { advance: "-5m" })).toMatchObject({
      error: expect.stringContaining("not a duration"),
    });
  });

  it("follow pushes subscribe and adds a follower; /_wxdev/state lists the account", async () => {
    const answer = await control(platform.mock.origin, "follow", {});
    expect(answer).toMatchObject({ pushed: true, exchange: { ok: true } });
    const state = (await (await fetch(`${platform.mock.origin}/_wxdev/state`)).json()) as { followers: unknown[] };
    expect(state.followers).toHaveLength(4);
  });

  it("Server-Sent Events: a page watching /_wxdev/events sees a menu change and a push", async () => {
    const response = await fetch(`${platform.mock.origin}/_wxdev/events`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    await platform.sdk("getAccessToken");
    await platform.sdk("createMenu", { button: [{ type: "click", name: "菜单", key: "K" }] });
    await control(platform.mock.origin, "message", { event: "CLICK", fields: { EventKey: "K" } });
    let text = "";
    while (!text.includes("event: push")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain("event: menu\ndata: ");
    const push = JSON.parse(/event: push\ndata: (.*)\n/.exec(text)?.[1] ?? "{}");
    expect(push).toMatchObject({ what: "event CLICK", result: { ok: true, request: { message: { EventKey: "K" } } } });
  });
});

describe("a server we ship answers strangers with fixed short bodies", () => {
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === "IPv4" && !address.internal)?.address;

  it.skipIf(outside === undefined)(
    "the control endpoints answer this machine only (404 from another address)",
    async () => {
      const mock = await createMockPlatform({ host: "0.0.0.0", port: 0, appId: APP_ID, appSecret: SECRET }).listen();
      try {
        const far = await fetch(`http://${outside}:${mock.port}/_wxdev/state`);
        expect(far.status).toBe(404);
        expect(await far.text()).toBe("not found");
        const json = { "Content-Type": "application/json" };
        const clock = (host: string, headers: Record<string, string>) =>
          fetch(`http://${host}:${mock.port}/_wxdev/clock`, { method: "POST", body: '{"advance":"1d"}', headers });
        expect((await clock(outside ?? "", json)).status).toBe(404);
        // What a web page can send to 127.0.0.1 without a preflight (text/plain) is refused too.
        expect((await clock("127.0.0.1", { "Content-Type": "text/plain" })).status).toBe(415);
        expect(mock.store.clock.offset).toBe(0);
        expect((await clock("127.0.0.1", json)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${mock.port}/_wxdev/state`)).status).toBe(200);
      } finally {
        await mock.close();
      }
    },
  );

  it("unknown paths, bad targets and oversized bodies get short fixed answers", async () => {
    const unknown = await fetch(`${platform.mock.origin}/cgi-bin/nothing-here`);
    expect([unknown.status, await unknown.text()]).toEqual([404, "not found"]);
    const { accessToken } = await platform.sdk("getAccessToken");
    const huge = await fetch(`${platform.mock.origin}/cgi-bin/menu/create?access_token=${accessToken}`, {
      method: "POST",
      body: "x".repeat(300 * 1024),
    });
    expect([huge.status, await huge.text()]).toEqual([413, "payload too large"]);
    expect(await errcodeOf(platform.sdk("getFollowers"))).toBe("ok");
  });
});

describe("--state: the account across restarts", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wxdev-state-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("menu, followers, templates, media, quotas and the clock come back; never the secret or a token", async () => {
    const file = join(dir, "account.json");
    const store = new PlatformStore(APP_ID);
    const writer = new StateWriter(file, () => store.snapshot());
    store.onChange = () => writer.changed();
    const mock = await createMockPlatform({
      port: 0,
      appId: APP_ID,
      appSecret: SECRET,
      store,
      advanceMs: 3_600_000,
    }).listen();
    const sdk = sdkFor(mock.origin);
    const { accessToken } = await sdk("getAccessToken");
    await sdk("createMenu", { button: [{ type: "view", name: "官网", url: "https://example.com/" }] });
    await control(mock.origin, "follow", { openid: "oKeptAcrossRestarts000000000" });
    await mock.close();
    await writer.flush();

    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(accessToken);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = new PlatformStore(APP_ID);
    again.restore((await loadState(file, APP_ID))!);
    const restarted = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET, store: again }).listen();
    try {
      const restartedSdk = sdkFor(restarted.origin);
      expect((await restartedSdk("getMenu")).menu.button[0].url).toBe("https://example.com/");
      expect((await restartedSdk("getUser", "oKeptAcrossRestarts000000000")).subscribe).toBe(1);
      expect(again.clock.offset).toBe(3_600_000);
      expect(again.quotas.get("/cgi-bin/menu/create")?.used).toBe(1);
      await expect(loadState(file, "wxother")).rejects.toThrow(/keeps the account/);
    } finally {
      await restarted.close();
    }
  });
});
