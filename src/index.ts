/**
 * wxdev as a library: the public API, name by name (README, "As a library"). Each name here is a promise to
 * keep; the rest of src/core is free to change. test/core/public-api.test.ts holds this list.
 */

// Signatures (protocol §2) and the JS-SDK page signature (§8).
export {
  makeNonce,
  makeTimestamp,
  msgSignature,
  signature,
  verifyMsgSignature,
  verifySignature,
} from "./core/wire/signature.js";
export { type JsapiSignInput, jsapiSignature, makeNonceStr, type WxConfig, wxConfig } from "./core/wire/jsapi.js";

// Safe-mode crypto (§3): the cipher, and the envelope a request or a reply travels in.
export {
  type Decrypted,
  decodeAesKey,
  type Envelope,
  MessageCrypto,
  type MessageCryptoOptions,
} from "./core/wire/crypto.js";
export { openReply, openRequest, sealReply, sealRequest } from "./core/wire/envelope.js";
export { DEFAULT_MODE, type Mode, MODES } from "./core/wire/modes.js";

// Messages and events as WeChat sends them, replies as a server writes them, the XML they travel in.
export {
  buildEvent,
  buildMessage,
  buildReply,
  type MessageHeader,
  randomMsgId,
  randomOpenId,
  textReply,
} from "./core/wire/messages.js";
export { EVENT_TYPES, MESSAGE_TYPES } from "./core/wire/message-tables.js";
export { buildXml, parseXml, type XmlRecord, type XmlValue } from "./core/wire/xml.js";

// What WeChat would make of a reply.
export { judgeReply, type ReplyVerdict, validateReply } from "./core/wire/reply.js";
export type { Problem, Severity } from "./core/wire/problem.js";

// The client: talk to a server as WeChat does.
export { createTarget, type Target, type TargetOptions } from "./core/client/target.js";
export { handshake, type HandshakeResult } from "./core/client/handshake.js";
export { type ExchangeResult, send, sendWithRetry } from "./core/client/exchange.js";
export { buildCallback, type Callback, type CallbackOptions } from "./core/client/callback.js";
export { type CheckOptions, type CheckResult, checksPassed, runChecks } from "./core/client/check.js";
export { type LoadOptions, type LoadReport, runLoad } from "./core/client/load.js";

// The reference server, and its parts for a server of your own.
export { createWechatServer, type RunningServer, type WechatServerOptions } from "./core/server/http.js";
export {
  type CallbackRequest,
  type CallbackResponse,
  createCallbackHandler,
  type HandlerOptions,
} from "./core/server/handler.js";
export { type Bot, echoBot, type EchoBotOptions } from "./core/server/echo-bot.js";

// Web authorisation (§5) and the platform's API.
export { type AuthorizeUrlOptions, authorizeUrl, type Scope } from "./core/oauth/authorize-url.js";
export { OAuthClient, type OAuthClientOptions } from "./core/oauth/client.js";
export { OAuthApiError } from "./core/oauth/errors.js";

// The offline platform: a local stand-in for WeChat's web authorisation and API.
export { createMockPlatform, type MockOptions, type RunningMock } from "./core/platform/server.js";

// Typed errors: every error wxdev throws on purpose is a WxdevError (code, hint, kind).
export { MissingSettingError } from "./core/config/settings.js";
export {
  CheckFailedError,
  ConfigError,
  CryptoError,
  InputError,
  WxCryptoCode,
  WxdevError,
  XmlError,
} from "./core/support/errors.js";
