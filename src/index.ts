/** wxdev as a library: the core, without the CLI. */
export * from "./core/config.js";
export * from "./core/crypto.js";
export * from "./core/envelope.js";
export * from "./core/errors.js";
export * from "./core/diagnose.js";
export * from "./core/message-types.js";
export * from "./core/mode-crypto.js";
export * from "./core/modes.js";
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
} from "./core/messages.js";
export * from "./core/message-tables.js";
export * from "./core/reply.js";
export * from "./core/signature.js";
export * from "./core/jsapi.js";
export * from "./core/xml.js";
export * from "./core/xml-fields.js";
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
export * from "./core/platform/server.js";
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
export * from "./core/request-kind.js";
