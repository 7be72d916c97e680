/** wxdev as a library: the core, without the CLI. */
export * from "./core/config/file.js";
export * from "./core/config/settings.js";
export { mask } from "./core/support/redact.js";
export * from "./core/wire/crypto.js";
export * from "./core/wire/envelope.js";
export * from "./core/support/errors.js";
export * from "./core/client/diagnose.js";
export * from "./core/wire/problem.js";
export * from "./core/wire/message-types.js";
export * from "./core/config/mode-crypto.js";
export * from "./core/wire/modes.js";
export {
  buildEvent,
  buildMessage,
  buildReply,
  dedupKey,
  randomAccountId,
  randomMsgId,
  randomOpenId,
  textReply,
  type FieldOverride,
  type FieldOverrides,
  type MessageHeader,
} from "./core/wire/messages.js";
export * from "./core/wire/message-tables.js";
export * from "./core/wire/reply.js";
export * from "./core/wire/signature.js";
export * from "./core/wire/jsapi.js";
export * from "./core/wire/xml.js";
export * from "./core/wire/xml-fields.js";
export * from "./core/client/callback.js";
export * from "./core/client/check.js";
export * from "./core/client/exchange.js";
export * from "./core/client/handshake.js";
export * from "./core/client/load.js";
export * from "./core/client/target.js";
export * from "./core/server/echo-bot.js";
export * from "./core/server/handler.js";
export * from "./core/server/http.js";
export * from "./core/oauth/authorize-url.js";
export * from "./core/oauth/client.js";
export * from "./core/oauth/errors.js";
export * from "./core/oauth/index-page.js";
export * from "./core/oauth/mock/server.js";
export * from "./core/deploy/deploy.js";
export * from "./core/remote/known-hosts.js";
export * from "./core/deploy/manifest.js";
export * from "./core/deploy/nginx.js";
export * from "./core/deploy/plan.js";
export * from "./core/remote/connection.js";
export * from "./core/remote/shell.js";
export { UnsafeStateError } from "./core/remote/state-guard.js";
export * from "./core/remote/tunnel.js";
export * from "./core/remote/tunnel-marker.js";
export * from "./core/wire/request-kind.js";
