import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { type Platform, startPlatform } from "../helpers/platform.js";

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform("safe");
});
afterAll(() => platform.close());

const mock = (...args: string[]) => runMain(["mock", ...args, "--api-base", platform.mock.origin]);

describe("wxdev mock's subcommands drive a running mock", () => {
  it("scan: a new follower's subscribe with qrscene_…, judged as simulate judges (exit 0)", async () => {
    const { ticket } = await platform.sdk("createTmpQRCode", "lesson-5", 600);
    const result = await mock("scan", String(ticket));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("event subscribe (qrscene_lesson-5)");
    expect(result.stdout).toContain("🔒 safe");
    expect(result.stdout).toContain("WeChat would accept this answer");
    expect(await platform.receivedWhere((m) => m.EventKey === "qrscene_lesson-5")).toMatchObject({ Ticket: ticket });
  });

  it("say and click: the follower writes, the app's answer is judged; --json gives the exchange", async () => {
    const said = await mock("say", "你好");
    expect(said.stdout).toContain('text: "你好"');
    expect(said.stdout).toContain('text: "got 你好"');
    const clicked = await runMain(["--json", "mock", "click", "V1001_GOOD", "--api-base", platform.mock.origin]);
    expect(JSON.parse(clicked.stdout)).toMatchObject({
      pushed: true,
      exchange: { request: { message: { Event: "CLICK" } } },
    });
  });

  it("advance moves the clock; template adds one; a bad ticket or no mock is one clear line", async () => {
    expect((await mock("advance", "1h")).stdout).toMatch(/the mock's clock is now \d{4}-/);
    expect((await mock("template", "上课提醒", "课程：{{thing1.DATA}}\\n时间：{{time2.DATA}}")).stdout).toMatch(
      /^template_id [\w-]{43} \(上课提醒\)/,
    );
    const bad = await mock("scan", "nope");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("no such QR code");
    const none = await runMain(["mock", "advance", "1h", "--api-base", "http://127.0.0.1:9"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no wxdev mock answers at http://127.0.0.1:9");
  });
});
