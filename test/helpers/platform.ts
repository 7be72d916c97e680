import express from "express";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { createTarget } from "../../src/core/client/target.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { listen } from "../../src/core/support/listen.js";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import type { Mode } from "../../src/core/wire/modes.js";
import { APP_ID, KEY } from "./fixtures.js";

const require = createRequire(import.meta.url);
// node-webot's SDK and middleware: independent implementations of the app's two halves.
const WechatApi = require("wechat-api") as new (
  appid: string,
  secret: string,
  getToken?: (callback: (error: Error | null, token?: unknown) => void) => void,
  saveToken?: (token: unknown, callback: (error: Error | null) => void) => void,
) => Record<string, unknown> & { endpoint: string; mpPrefix: string; showQRCodeURL(ticket: string): string };
const wechat = require("wechat") as (
  config: unknown,
  handler: (req: { weixin: Record<string, string> }, res: { reply(content: unknown): void }) => void,
) => express.RequestHandler;

export const SECRET = "platformsecret";
export const TOKEN = "platformtoken";

/** A wechat-api method as a promise; a WeChatAPIError rejects with its `code` (the errcode). */
export type Sdk = ((method: string, ...args: unknown[]) => Promise<Record<string, any> & Buffer>) & {
  url(method: string, ...args: unknown[]): string;
};

/** Makes an SDK client pointed at the mock; `token` fixes the access token it uses (WAPI's getToken hook). */
export function sdkFor(origin: string, token?: string): Sdk {
  const getToken =
    token === undefined
      ? undefined
      : (callback: (error: Error | null, value?: unknown) => void) =>
          callback(null, { accessToken: token, expireTime: Date.now() + 3_600_000 });
  const api = new WechatApi(APP_ID, SECRET, getToken, token === undefined ? undefined : (_t, done) => done(null));
  // setEndpoint() forces https://: assigned directly, as the SDK's own tests do.
  api.endpoint = origin;
  api.mpPrefix = `${origin}/cgi-bin/`;
  const sdk = ((method: string, ...args: unknown[]) =>
    (promisify(api[method] as (...a: unknown[]) => void) as (...a: unknown[]) => Promise<unknown>).apply(
      api,
      args,
    )) as Sdk;
  return Object.assign(sdk, {
    url: (method: string, ...args: unknown[]) => (api[method] as (...a: unknown[]) => string).call(api, ...args),
  });
}

/** The errcode an SDK call failed with (wechat-api puts it in `code`), or "ok". */
export async function errcodeOf(call: Promise<unknown>): Promise<number | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    return (error as { code: number }).code;
  }
}

export interface Platform {
  mock: RunningMock;
  sdk: Sdk;
  /** A wechat-api method that returns a URL (showQRCodeURL), on the SDK pointed at the mock. */
  sdkUrl(method: string, ...args: unknown[]): string;
  /** What the app received (node-webot's parsed messages), in order. */
  received: Record<string, string>[];
  /** Waits until the app received a message that `match` accepts. */
  receivedWhere(match: (message: Record<string, string>) => boolean): Promise<Record<string, string>>;
  /** Moves the clock the mock runs on (it stands still otherwise). */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** The mock, pushing to a node-webot app (in `mode`) over loopback, and wechat-api pointed at the mock. */
export async function startPlatform(mode: Mode = "safe"): Promise<Platform> {
  const received: Record<string, string>[] = [];
  const app = express();
  app.use(express.query({}));
  const config = mode === "plain" ? { token: TOKEN } : { token: TOKEN, appid: APP_ID, encodingAESKey: KEY };
  app.use(
    "/wechat",
    wechat(config, (req, res) => {
      received.push(req.weixin);
      const { MsgType, Content = "" } = req.weixin;
      // "图片 <MediaId>" is answered with that picture, to see the mock judge a reply's MediaId.
      if (MsgType === "text" && Content.startsWith("图片 "))
        res.reply({ type: "image", content: { mediaId: Content.slice(3) } });
      else res.reply(MsgType === "text" ? `got ${Content}` : "");
    }),
  );
  const appServer = await listen(createServer(app), 0, "127.0.0.1");
  const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
  const push = createTarget({ url: `${appServer.origin}/wechat`, token: TOKEN, mode, crypto });
  // A clock that stands still unless the test moves it: expiry and windows are exact.
  const start = Date.now();
  let offset = 0;
  const mock = await createMockPlatform({
    port: 0,
    appId: APP_ID,
    appSecret: SECRET,
    push,
    now: () => start + offset,
  }).listen();
  const sdk = sdkFor(mock.origin);
  return {
    mock,
    sdk,
    sdkUrl: sdk.url,
    received,
    receivedWhere: async (match) => {
      for (let waited = 0; waited < 5_000; waited += 20) {
        const found = received.find(match);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`the app did not receive it; it got ${JSON.stringify(received)}`);
    },
    advance: (ms) => {
      offset += ms;
    },
    close: async () => {
      await mock.close();
      await appServer.close();
    },
  };
}

/** POSTs to one of the mock's control endpoints (/_wxdev/…). */
export async function control(origin: string, name: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}/_wxdev/${name}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
  return (await response.json()) as Record<string, unknown>;
}

/** POSTs JSON to an API path of the mock (for the routes wechat-api has no helper for). */
export async function postApi(origin: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}${path}`, { method: "POST", body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown>;
}
