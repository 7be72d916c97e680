import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runMain } from "../helpers/main.js";
import { startBroken, startServe, startWebot, type RunningTestServer } from "../helpers/wechat-servers.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";

const TOKEN = "simtoken";
const env = { WXDEV_TOKEN: TOKEN };
const safeEnv = { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };

let serve: Awaited<ReturnType<typeof startServe>>;
let webot: RunningTestServer;
let webotSafe: RunningTestServer;

beforeAll(async () => {
  [serve, webot, webotSafe] = await Promise.all([
    startServe(["--mode", "compat"], safeEnv),
    startWebot({ token: TOKEN }),
    startWebot({ token: TOKEN, appid: APP_ID, encodingAESKey: KEY }),
  ]);
});
afterAll(async () => {
  await Promise.all([serve?.close(), webot?.close(), webotSafe?.close()]);
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the command printed, field by field
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe("wxdev simulate against wxdev serve", () => {
  it("sends a text as WeChat does and shows the echoed reply", async () => {
    const result = await runMain(["simulate", "text", "你好", "😀", "--url", serve.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/→ .* text: "你好 😀"/);
    expect(result.stdout).toMatch(/← .* text: "你好 😀" \(HTTP 200, \d+ ms\)/);
    expect(result.stdout).toContain("WeChat would accept this answer");
  });

  it("--json has ok, status, latencyMs, request, reply, raw and problems; the request is WeChat's", async () => {
    const result = await runMain(
      [
        "simulate",
        "text",
        "hi",
        "--url",
        serve.url,
        "--json",
        "--from",
        "oUser1",
        "--to",
        "gh_abc",
        "--msg-id",
        "6054768590064713728",
      ],
      { env },
    );
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(["ok", "status", "latencyMs", "request", "reply", "raw", "problems"]),
    );
    expect(out.request.query.timestamp).toMatch(/^\d{10}$/);
    expect(Object.keys(out.request.query)).toEqual(["signature", "timestamp", "nonce", "openid"]);
    expect(out.request.query.openid).toBe("oUser1");
    expect(out.request.body).toContain("<MsgId>6054768590064713728</MsgId>");
    expect(out.reply).toMatchObject({ ToUserName: "oUser1", FromUserName: "gh_abc", MsgType: "text", Content: "hi" });
    expect(out.problems).toEqual([]);
  });

  it.each(["safe", "compat"])(
    "%s mode: both signatures sent, the body encrypted, the encrypted reply opened",
    async (mode) => {
      const result = await runMain(["simulate", "text", "加密", "--url", serve.url, "--mode", mode, "--json"], {
        env: safeEnv,
      });
      expect(result.code).toBe(0);
      const out = json(result.stdout);
      expect(out.request.query).toMatchObject({ encrypt_type: "aes" });
      expect(out.request.query.signature).toMatch(/^[0-9a-f]{40}$/);
      expect(out.request.query.msg_signature).toMatch(/^[0-9a-f]{40}$/);
      expect(out.request.body).toContain("<Encrypt>");
      expect(out.request.body.includes("加密")).toBe(mode === "compat");
      expect(out.raw).toContain("<MsgSignature>");
      expect(out.reply.Content).toBe("加密");
    },
  );

  it.each([
    ["image", ["--pic-url", "http://x/p.jpg"], /← .*text: "i love him"/],
    ["location", ["--lat", "39.9", "--lng", "116.4", "--label", "天安门"], /→ .*location: "天安门"/],
    ["event", ["subscribe"], /event subscribe/],
    ["event", ["scan", "--key", "42", "--ticket", "T"], /event SCAN \(42\)/],
  ])("%s %j", async (type, args, pattern) => {
    const result = await runMain(["simulate", type, ...args, "--url", serve.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(pattern);
  });

  it("event location_select --lat 1.5: the flags land in SendLocationInfo, as CDATA like the platform's sample", async () => {
    const result = await runMain(
      [
        "simulate",
        "event",
        "location_select",
        "--lat",
        "1.5",
        "--lng",
        "121.5",
        "--label",
        "外滩",
        "--url",
        serve.url,
        "--json",
      ],
      { env },
    );
    expect(result.code).toBe(0);
    const body: string = json(result.stdout).request.body;
    expect(body).toContain(
      "<SendLocationInfo><Location_X><![CDATA[1.5]]></Location_X><Location_Y><![CDATA[121.5]]></Location_Y>",
    );
    expect(body).toContain("<Label><![CDATA[外滩]]></Label><Poiname><![CDATA[]]></Poiname></SendLocationInfo>");
  });

  it("--pic-md5 twice sends two PicList items and Count 2; --scan-result lands in ScanCodeInfo", async () => {
    const pics = await runMain(
      ["simulate", "event", "pic_weixin", "--pic-md5", "aa", "--pic-md5", "bb", "--url", serve.url, "--json"],
      { env },
    );
    expect(pics.code).toBe(0);
    expect(json(pics.stdout).request.body).toContain(
      "<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[aa]]></PicMd5Sum></item>" +
        "<item><PicMd5Sum><![CDATA[bb]]></PicMd5Sum></item></PicList></SendPicsInfo>",
    );
    const scan = await runMain(
      [
        "simulate",
        "event",
        "scancode_push",
        "--scan-type",
        "barcode",
        "--scan-result",
        "69012",
        "--url",
        serve.url,
        "--json",
      ],
      { env },
    );
    expect(json(scan.stdout).request.body).toContain(
      "<ScanCodeInfo><ScanType><![CDATA[barcode]]></ScanType><ScanResult><![CDATA[69012]]></ScanResult></ScanCodeInfo>",
    );
  });

  it.each([
    ["TEMPLATESENDJOBFINISH", "--msg-id", "200163836", "<MsgID>200163836</MsgID>"],
    ["masssendjobfinish", "--status", "send fail", "<Status><![CDATA[send fail]]></Status>"],
    ["publishjobfinish", "--publish-status", "3", "<publish_status>3</publish_status>"],
    ["subscribe_msg_sent_event", "--template-id", "T1", "<List><TemplateId><![CDATA[T1]]></TemplateId>"],
    ["kf_switch_session", "--to-kf", "kf9@x", "<ToKfAccount><![CDATA[kf9@x]]></ToKfAccount>"],
    ["view_miniprogram", "--key", "pages/a/b", "<EventKey><![CDATA[pages/a/b]]></EventKey>"],
  ])("serve answers the notification %s (%s %s) with success, not a text", async (event, flag, value, sent) => {
    const result = await runMain(["simulate", "event", event, flag, value, "--url", serve.url, "--json"], { env });
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(out.request.body).toContain(sent);
    expect(out.raw).toBe("success");
    expect(out.reply).toBeNull();
  });

  it("--file sends a hand-written body", async () => {
    const xml =
      "<xml><ToUserName>gh_1</ToUserName><FromUserName>oFile</FromUserName><CreateTime>1409735668" +
      "</CreateTime><MsgType>text</MsgType><Content>from a file</Content><MsgId>1</MsgId></xml>";
    const result = await runMain(["simulate", "--file", "-", "--url", serve.url, "--json"], { env, input: xml });
    expect(result.code).toBe(0);
    expect(json(result.stdout).reply.Content).toBe("from a file");
  });

  it("load mode: distinct, freshly signed messages, all answered", async () => {
    const result = await runMain(
      ["simulate", "text", "x", "--url", serve.url, "--count", "200", "--concurrency", "8", "--json"],
      { env },
    );
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(out).toMatchObject({ ok: true, sent: 200, statusCodes: { "200": 200 }, over5s: 0 });
    expect(out.replies.validXml).toBe(200);
    expect(out.latencyMs.p50).toBeGreaterThan(0);
    expect(serve.output()).not.toContain("retry");
  });
});

/** The POST requests in serve's --json log. */
function posts(log: string): { kind: string; openid: string; retry?: boolean }[] {
  return log
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.method === "POST");
}

describe("wxdev simulate load mode sends the message asked for", () => {
  it("image messages, each with its own MsgId, to the account given", async () => {
    const plain = await startServe(["--json"], env);
    try {
      const result = await runMain(
        ["simulate", "image", "--to", "gh_load", "--url", plain.url, "--count", "20", "--concurrency", "4", "--json"],
        { env },
      );
      expect(result.code).toBe(0);
      expect(json(result.stdout)).toMatchObject({ sent: 20, replies: { validXml: 20 } });
      // serve logs in batches: the last lines may arrive just after the answers did
      await vi.waitFor(() => {
        const logged = posts(plain.output());
        expect(logged.map((entry) => entry.kind)).toEqual(Array(20).fill("image"));
        expect(logged.some((entry) => entry.retry)).toBe(false);
      });
    } finally {
      await plain.close();
    }
  });

  it("events get a fresh sender each, so de-duplication cannot hide the load", async () => {
    const plain = await startServe(["--json"], env);
    try {
      const result = await runMain(["simulate", "event", "subscribe", "--url", plain.url, "--count", "10", "--json"], {
        env,
      });
      expect(result.code).toBe(0);
      await vi.waitFor(() => {
        const logged = posts(plain.output());
        expect(new Set(logged.map((entry) => entry.openid)).size).toBe(10);
        expect(logged.every((entry) => entry.kind === "event:subscribe" && !entry.retry)).toBe(true);
      });
    } finally {
      await plain.close();
    }
  });
});

describe("wxdev simulate against node-webot (an independent server)", () => {
  it("plain mode: accepted, with the milliseconds CreateTime flagged as a warning", async () => {
    const result = await runMain(["simulate", "text", "hello", "--url", webot.url, "--json"], { env });
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(out.reply.Content).toBe("hello");
    expect(out.problems).toEqual([expect.objectContaining({ severity: "warning", code: "createtime-ms" })]);
  });

  it("safe mode: webot decrypts our request and we open its encrypted reply", async () => {
    const args = ["simulate", "text", "安全模式", "--url", webotSafe.url, "--mode", "safe", "--json"];
    const result = await runMain(args, { env: safeEnv });
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(out.raw).toContain("<Encrypt>");
    expect(out.reply.Content).toBe("安全模式");
  });
});

describe("wxdev simulate failures", () => {
  it("a wrong To/From is exit 1 with the problem named", async () => {
    const broken = await startBroken("swap", TOKEN);
    try {
      const result = await runMain(["simulate", "text", "hi", "--url", broken.url], { env });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/error ToUserName is .* it must be the sender/);
      expect(result.stdout).toContain("WeChat would reject this answer");
    } finally {
      await broken.close();
    }
  });

  it("a server slower than WeChat's default 5 s is a timeout (exit 1); --retry resends the same MsgId", async () => {
    const broken = await startBroken("slow", TOKEN, 6_000);
    try {
      const result = await runMain(["simulate", "text", "hi", "--url", broken.url, "--json"], {
        env,
        timeoutMs: 20_000,
      });
      expect(result.code).toBe(1);
      const out = json(result.stdout);
      expect(out.problems[0]).toMatchObject({ code: "timeout", message: expect.stringContaining("5000 ms") });
      // A timer may fire a fraction of a millisecond before performance.now() says 5 s have passed.
      expect(out.latencyMs).toBeGreaterThanOrEqual(4_990);
      expect(out.latencyMs).toBeLessThan(5_900);
      const retried = await runMain(
        ["simulate", "text", "hi", "--url", broken.url, "--retry", "--timeout", "0.3", "--json"],
        { env },
      );
      expect(retried.code).toBe(1);
      expect(json(retried.stdout).attempts).toBe(3);
    } finally {
      await broken.close();
    }
  }, 30_000);

  it("--retry only calls answers consistent when there were two to compare", async () => {
    const broken = await startBroken("slow", TOKEN, 6_000);
    try {
      const none = await runMain(
        ["simulate", "text", "hi", "--url", broken.url, "--retry", "--timeout", "0.3", "--json"],
        { env },
      );
      expect(json(none.stdout)).toMatchObject({ attempts: 3, consistent: null });
      const once = await runMain(["simulate", "text", "hi", "--url", serve.url, "--retry"], { env });
      expect(once.code).toBe(0);
      expect(once.stdout).toContain("answered in time: WeChat would not retry");
    } finally {
      await broken.close();
    }
  });

  it("the deadline covers the whole answer: a server dripping bytes is a timeout", async () => {
    const broken = await startBroken("drip", TOKEN);
    try {
      const result = await runMain(["simulate", "text", "hi", "--url", broken.url, "--timeout", "1", "--json"], {
        env,
      });
      expect(result.code).toBe(1);
      const out = json(result.stdout);
      expect(out.problems[0]).toMatchObject({ code: "timeout", message: expect.stringContaining("1000 ms") });
      expect(out.latencyMs).toBeLessThan(3000);
    } finally {
      await broken.close();
    }
  });

  it("an unreachable server is exit 1 with one clear reason", async () => {
    const result = await runMain(["simulate", "text", "hi", "--url", "http://127.0.0.1:9/wechat"], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/connection refused/);
    const retried = await runMain(["simulate", "text", "hi", "--url", "http://127.0.0.1:9/wechat", "--retry"], { env });
    expect(retried.code).toBe(1);
    expect(retried.stdout).toContain("no retry: WeChat retries only after a timeout");
  });

  it.each([
    ["no URL", ["simulate", "text", "hi"], /missing url/],
    ["a bad URL", ["simulate", "text", "hi", "--url", "not a url"], /is not a URL/],
    ["an unknown type", ["simulate", "sticker", "--url", "http://127.0.0.1:9/"], /unknown message type sticker/],
    ["text without content", ["simulate", "text", "--url", "http://127.0.0.1:9/"], /needs the content/],
    [
      "words after a type without content",
      ["simulate", "image", "extra", "words", "--url", "http://127.0.0.1:9/"],
      /unexpected arguments after image: extra words/,
    ],
    [
      "a MsgId that is not a number",
      ["simulate", "text", "hi", "--msg-id", "abc", "--url", "http://127.0.0.1:9/"],
      /--msg-id abc is not a number/,
    ],
    [
      "a latitude that is not a number",
      ["simulate", "location", "--lat", "north", "--url", "http://127.0.0.1:9/"],
      /--lat north is not a decimal number/,
    ],
    [
      "a MsgId above 2^64−1",
      ["simulate", "text", "hi", "--msg-id", "18446744073709551616", "--url", "http://127.0.0.1:9/"],
      /--msg-id 18446744073709551616 is above 2\^64−1/,
    ],
    [
      "a latitude in exponent notation",
      ["simulate", "event", "location_select", "--lat", "1e3", "--url", "http://127.0.0.1:9/"],
      /--lat 1e3 is not a decimal number — e\.g\. --lat 39\.915119/,
    ],
    ["a hex latitude", ["simulate", "location", "--lat", "0x10", "--url", "http://127.0.0.1:9/"], /--lat 0x10 is not/],
    [
      "a latitude past the pole",
      ["simulate", "event", "location", "--lat", "90.1", "--url", "http://127.0.0.1:9/"],
      /--lat 90\.1 is out of range: Latitude is -90 to 90/,
    ],
    [
      "a flag the event has no field for",
      ["simulate", "event", "click", "--ticket", "T", "--url", "http://127.0.0.1:9/"],
      /--ticket does not apply to event CLICK — event CLICK takes --key/,
    ],
    [
      "--msg-id on an event without MsgID",
      ["simulate", "event", "subscribe", "--msg-id", "1", "--url", "http://127.0.0.1:9/"],
      /--msg-id does not apply to event subscribe/,
    ],
    [
      "--file with --from",
      ["simulate", "--file", "m.xml", "--from", "o1", "--url", "http://127.0.0.1:9/"],
      /--file sends the file as written, so it takes no --from/,
    ],
    [
      "--retry in load mode",
      ["simulate", "text", "hi", "--count", "5", "--retry", "--url", "http://127.0.0.1:9/"],
      /load mode .* drop --retry/,
    ],
    [
      "an unknown type in load mode",
      ["simulate", "bogus", "--count", "3", "--url", "http://127.0.0.1:9/"],
      /unknown message type bogus/,
    ],
    [
      "safe mode without a key",
      ["simulate", "text", "hi", "--mode", "safe", "--url", "http://127.0.0.1:9/"],
      /missing aesKey/,
    ],
    [
      "a --timeout past an hour",
      ["simulate", "text", "hi", "--timeout", "2147484", "--url", "http://127.0.0.1:9/"],
      /option '--timeout <seconds>' argument '2147484' is invalid\. more than an hour/,
    ],
    [
      "a bad --count",
      ["simulate", "text", "hi", "--url", "http://127.0.0.1:9/", "--count", "lots"],
      /option '--count <n>' argument 'lots' is invalid\. must be a whole number/,
    ],
  ])("%s is exit 2", async (_name, args, pattern) => {
    const result = await runMain(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
