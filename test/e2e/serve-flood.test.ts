import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { describe, expect, it } from "vitest";
import { makeTimestamp, signature } from "../../src/core/wire/signature.js";
import { startServe } from "../helpers/wechat-servers.js";

const TOKEN = "floodtoken";

/** Resident memory of a process now, in bytes (VmRSS). */
function rss(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

describe.skipIf(process.platform !== "linux")("wxdev serve under a flood (a real process, measured by RSS)", () => {
  it("8,000 padded 60 KB messages under one signed URL: the reply cache keeps none of the bodies", async () => {
    // In plain mode one signature covers any body while its timestamp is fresh: all 8,000 are accepted and
    // cached. Each cache key used to keep its whole body alive: +510 MB.
    const serve = await startServe([], { WXDEV_TOKEN: TOKEN });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    try {
      const timestamp = makeTimestamp();
      const url = new URL(
        `${serve.url}?signature=${signature(TOKEN, timestamp, "42")}&timestamp=${timestamp}&nonce=42`,
      );
      const pad = "p".repeat(60_000);
      const send = (i: number): Promise<number> =>
        new Promise((resolve, reject) => {
          // A real openid and 64-bit MsgId, as WeChat sends them.
          const body =
            "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>" +
            "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1700000000</CreateTime>" +
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>" +
            `<MsgId>${6054768590064713728n + BigInt(i)}</MsgId><Pad><![CDATA[${pad}]]></Pad></xml>`;
          request(url, { method: "POST", agent }, (response) => {
            response.resume().on("end", () => resolve(response.statusCode ?? 0));
          })
            .on("error", reject)
            .end(body);
        });
      const pid = serve.child.pid ?? 0;
      for (let i = 0; i < 200; i++) await send(i); // warmed up: the baseline is the running server's
      const before = rss(pid);
      let next = 200;
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < 8_200) statuses.push(await send(next++));
        }),
      );
      const grew = rss(pid) - before;
      expect(statuses.filter((status) => status === 200)).toHaveLength(8_000);
      expect(grew, `RSS grew by ${Math.round(grew / 1024 / 1024)} MiB`).toBeLessThan(150 * 1024 * 1024);
    } finally {
      agent.destroy();
      await serve.close();
    }
    // One line a message, each bounded (counted once serve has stopped and written its last lines).
    expect(
      serve
        .output()
        .split("\n")
        .filter((line) => / 200 text "hi" /.test(line)),
    ).toHaveLength(8_200);
  }, 120_000);
});
