import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExchangeDetail } from "../../src/core/inspect/detail.js";
import type { ExchangeSummary } from "../../src/core/inspect/store.js";
import { runCli } from "../helpers/cli.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { inspectUrl } from "../helpers/inspect.js";
import { printedOrigin, type RunningCommand, startCommand } from "../helpers/processes.js";

const env = { WXDEV_TOKEN: "mockinspect", WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };

describe("mock --inspect: the mock's pushes to the app on the inspector", () => {
  let serve: RunningCommand;
  let mock: RunningCommand;
  let inspector = "";
  let origin = "";

  beforeAll(async () => {
    serve = await startCommand(["serve", "--port", "0", "--mode", "safe"], env, /listening/);
    const url = `${printedOrigin(serve.output())}/wechat8013`;
    mock = await startCommand(
      ["mock", "--port", "0", "--url", url, "--mode", "safe", "--inspect", "0"],
      env,
      /inspect: http/,
    );
    inspector = inspectUrl(mock.output());
    origin = printedOrigin(mock.output());
  }, 30_000);

  afterAll(async () => {
    await Promise.all([mock?.stop(), serve?.stop()]);
  });

  it("a follower's message, pushed encrypted, is listed and opened; Replay pushes it again", async () => {
    const said = await runCli(["mock", "say", "来自手机", "--api-base", origin], { env });
    expect(said.code, said.stdout + said.stderr).toBe(0);
    const list = (await (await fetch(`${inspector}api/exchanges`)).json()) as ExchangeSummary[];
    expect(list).toEqual([
      expect.objectContaining({ source: "push", kind: "text", content: "来自手机", encrypted: true, status: 200 }),
    ]);
    const id = list[0]?.id;
    const detail = (await (await fetch(`${inspector}api/exchanges/${id}`)).json()) as ExchangeDetail;
    expect(detail.plaintext).toContain("来自手机");
    expect(detail.reply.decrypted).toContain("来自手机");
    expect(detail.signatures.every((verdict) => verdict.ok)).toBe(true);
    const replayed = await fetch(`${inspector}api/exchanges/${id}/replay`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(await replayed.json()).toMatchObject({
      outcome: { verdict: "same", status: { recorded: 200, today: 200 } },
    });
  });
});
