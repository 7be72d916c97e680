import { createRequire } from "node:module";

/** The EncodingAESKey the tests use (43 characters, as the platform generates). */
export const KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/** The appId of the public WeChat examples, used with `KEY`. */
export const APP_ID = "wx2c2769f8efd9abc2";

/** node-webot's WXBizMsgCrypt, as typed here: the parts of its API the tests call. */
export interface WechatCryptoWitness {
  encrypt(text: string): string;
  decrypt(text: string): { message: string; id: string };
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
}

const require = createRequire(import.meta.url);

/** An independent implementation (node-webot's `wechat-crypto`) as the witness of interoperability. */
export const WXBizMsgCrypt = require("wechat-crypto") as new (
  token: string,
  key: string,
  id: string,
) => WechatCryptoWitness;
