/** wxdev as a library: the core, without the CLI. */
export * from "./core/config.js";
export * from "./core/crypto.js";
export * from "./core/envelope.js";
export * from "./core/errors.js";
export * from "./core/message-types.js";
export { buildEvent, buildMessage, buildReply, dedupKey, EVENT_TYPES, MESSAGE_TYPES, randomAccountId, randomMsgId, randomOpenId, textReply, type MessageHeader } from "./core/messages.js";
export * from "./core/reply.js";
export * from "./core/signature.js";
export * from "./core/xml.js";
export * from "./core/client/callback.js";
export * from "./core/client/check.js";
export * from "./core/client/exchange.js";
export * from "./core/client/handshake.js";
export * from "./core/client/load.js";
export * from "./core/server/echo-bot.js";
export * from "./core/server/handler.js";
export * from "./core/server/http.js";
