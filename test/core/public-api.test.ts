import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as wxdev from "../../src/index.js";

// The library's promise (README, "As a library"): exactly these names, each documented there.
const PUBLIC_API = [
  // signatures and the JS-SDK
  "makeNonce",
  "makeTimestamp",
  "msgSignature",
  "signature",
  "verifyMsgSignature",
  "verifySignature",
  "jsapiSignature",
  "makeNonceStr",
  "wxConfig",
  // safe-mode crypto
  "MessageCrypto",
  "decodeAesKey",
  "openReply",
  "openRequest",
  "sealReply",
  "sealRequest",
  "DEFAULT_MODE",
  "MODES",
  // messages, replies, XML
  "buildEvent",
  "buildMessage",
  "buildReply",
  "randomMsgId",
  "randomOpenId",
  "textReply",
  "EVENT_TYPES",
  "MESSAGE_TYPES",
  "buildXml",
  "parseXml",
  "judgeReply",
  "validateReply",
  // the client
  "createTarget",
  "handshake",
  "send",
  "sendWithRetry",
  "buildCallback",
  "checksPassed",
  "runChecks",
  "runLoad",
  // the server
  "createWechatServer",
  "createCallbackHandler",
  "echoBot",
  // web authorisation and the offline platform
  "authorizeUrl",
  "OAuthClient",
  "OAuthApiError",
  "createMockPlatform",
  // errors
  "MissingSettingError",
  "CheckFailedError",
  "ConfigError",
  "CryptoError",
  "InputError",
  "WxCryptoCode",
  "WxdevError",
  "XmlError",
];

describe("the public API (src/index.ts)", () => {
  it("exports exactly the listed names", () => {
    expect(Object.keys(wxdev).sort()).toEqual([...PUBLIC_API].sort());
  });

  it("the README's 'As a library' names each of them", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(
      readme.indexOf("## As a library"),
      readme.indexOf("\n## ", readme.indexOf("## As a library") + 1),
    );
    const named = new Set([...section.matchAll(/`([A-Za-z_]+)`/g)].map((match) => match[1]));
    expect(PUBLIC_API.filter((name) => !named.has(name))).toEqual([]);
  });
});
