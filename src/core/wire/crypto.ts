import { isUtf8 } from "node:buffer";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { CryptoError, WxCryptoCode } from "../support/errors.js";
import { randomBytesPooled } from "../support/random.js";
import { makeNonce, makeTimestamp, msgSignature, safeEqual } from "./signature.js";

/** PKCS#7 with WeChat's block size of 32 (protocol §3), not AES's 16. */
const PAD_BLOCK = 32;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/** Turns a 43-character EncodingAESKey into the 32-byte AES key; throws −40004 otherwise. */
export function decodeAesKey(encodingAESKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAESKey)) {
    throw new CryptoError(
      WxCryptoCode.IllegalAesKey,
      `EncodingAESKey must be 43 characters of base64 (got ${encodingAESKey.length})`,
      { hint: "copy the EncodingAESKey from the platform's basic configuration page exactly (43 letters and digits)" },
    );
  }
  const key = Buffer.from(`${encodingAESKey}=`, "base64");
  if (key.length !== 32) {
    throw new CryptoError(WxCryptoCode.IllegalAesKey, `EncodingAESKey decodes to ${key.length} bytes, not 32`);
  }
  return key;
}

/** What decryption found inside an Encrypt field. */
export interface Decrypted {
  message: string;
  appId: string;
  random: Buffer;
}

export interface MessageCryptoOptions {
  token: string;
  encodingAESKey: string;
  /** The account's appId; decryption refuses any other (−40005). */
  appId: string;
}

/** A signed, encrypted envelope: the Encrypt field with its timestamp, nonce and msg_signature. */
export interface Envelope {
  encrypt: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

/** Message crypto compatible with the official WXBizMsgCrypt (protocol §3). */
export class MessageCrypto {
  readonly token: string;
  readonly appId: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(options: MessageCryptoOptions) {
    this.token = options.token;
    this.appId = options.appId;
    this.key = decodeAesKey(options.encodingAESKey);
    this.iv = this.key.subarray(0, 16);
  }

  /** The same Token and key for another appId: what a message meant for another account is encrypted with. */
  withAppId(appId: string): MessageCrypto {
    const other = Object.create(MessageCrypto.prototype) as MessageCrypto;
    return Object.assign(other, { token: this.token, appId, key: this.key, iv: this.iv });
  }

  /** Encrypts `message` into the base64 Encrypt field; `random` (16 bytes) is for reproducible vectors. */
  encrypt(message: string, random: Buffer = randomBytesPooled(16)): string {
    if (random.length !== 16) throw new CryptoError(WxCryptoCode.EncryptAESError, "random prefix must be 16 bytes");
    const bodyLength = Buffer.byteLength(message, "utf8");
    const unpadded = 20 + bodyLength + Buffer.byteLength(this.appId, "utf8");
    const padding = PAD_BLOCK - (unpadded % PAD_BLOCK);
    // One buffer: random ‖ uint32 length ‖ message ‖ appId ‖ PKCS#7 padding (block 32).
    const plain = Buffer.allocUnsafe(unpadded + padding);
    random.copy(plain, 0);
    plain.writeUInt32BE(bodyLength, 16);
    plain.write(message, 20, "utf8");
    plain.write(this.appId, 20 + bodyLength, "utf8");
    plain.fill(padding, unpadded);
    const cipher = createCipheriv("aes-256-cbc", this.key, this.iv).setAutoPadding(false);
    const out = cipher.update(plain);
    const rest = cipher.final();
    return (rest.length === 0 ? out : Buffer.concat([out, rest])).toString("base64");
  }

  /** Decrypts an Encrypt field and checks the trailing appId. */
  decrypt(encrypt: string): string {
    const found = this.decryptRaw(encrypt);
    if (found.appId !== this.appId) {
      throw new CryptoError(
        WxCryptoCode.ValidateAppIdError,
        `message is for appId ${JSON.stringify(found.appId)}, not ${JSON.stringify(this.appId)}`,
        { hint: "use the appId of the account whose EncodingAESKey encrypted it" },
      );
    }
    return found.message;
  }

  /** Decrypts without judging the appId: returns what was found, for tools that report it. */
  decryptRaw(encrypt: string): Decrypted {
    const data = decodeBase64(encrypt);
    let plain: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-cbc", this.key, this.iv).setAutoPadding(false);
      plain = decipher.update(data);
      const rest = decipher.final();
      if (rest.length > 0) plain = Buffer.concat([plain, rest]);
    } catch (cause) {
      throw new CryptoError(WxCryptoCode.DecryptAESError, `AES decryption failed: ${(cause as Error).message}`, {
        cause,
      });
    }
    return splitPlaintext(unpad(plain));
  }

  /** Signs an Encrypt field: the envelope's msg_signature over its own timestamp and nonce. */
  sign(encrypt: string, timestamp = makeTimestamp(), nonce = makeNonce()): Envelope {
    return { encrypt, timestamp, nonce, msgSignature: msgSignature(this.token, timestamp, nonce, encrypt) };
  }

  /** Throws −40001 unless `received` is the msg_signature of the envelope. */
  verify(envelope: Envelope): void {
    const expected = msgSignature(this.token, envelope.timestamp, envelope.nonce, envelope.encrypt);
    if (!safeEqual(expected, envelope.msgSignature.toLowerCase())) {
      throw new CryptoError(
        WxCryptoCode.ValidateSignatureError,
        `msg_signature mismatch: expected ${expected}, received ${envelope.msgSignature || "(none)"}`,
        { hint: "check the Token, and that timestamp, nonce and Encrypt are the ones that were signed" },
      );
    }
  }
}

function decodeBase64(encrypt: string): Buffer {
  const text = encrypt.trim();
  const data = Buffer.from(text, "base64");
  // Node skips characters outside the alphabet, so a clean input is exactly the decoded length's encoding.
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (
    text === "" ||
    text.length % 4 !== 0 ||
    data.length !== (text.length / 4) * 3 - padding ||
    text.includes("-") ||
    text.includes("_")
  ) {
    throw new CryptoError(WxCryptoCode.DecodeBase64Error, "Encrypt is not valid base64", {
      hint: "pass the Encrypt field exactly as received, without line breaks or URL-encoding",
    });
  }
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new CryptoError(
      WxCryptoCode.DecryptAESError,
      `ciphertext is ${data.length} bytes, not a whole number of AES blocks`,
      { hint: "the Encrypt field is truncated or was not produced by WeChat" },
    );
  }
  return data;
}

const WRONG_KEY_HINT = "usually a wrong EncodingAESKey, or an Encrypt field that was altered or cut";

function unpad(plain: Buffer): Buffer {
  const amount = plain[plain.length - 1] ?? 0;
  let valid = amount >= 1 && amount <= PAD_BLOCK && amount <= plain.length;
  for (let i = plain.length - amount; valid && i < plain.length; i++) valid = plain[i] === amount;
  if (!valid)
    throw new CryptoError(WxCryptoCode.IllegalBuffer, "bad padding after decryption", { hint: WRONG_KEY_HINT });
  return plain.subarray(0, plain.length - amount);
}

function splitPlaintext(plain: Buffer): Decrypted {
  if (plain.length < 20) {
    throw new CryptoError(WxCryptoCode.IllegalBuffer, "decrypted data is too short to hold a message", {
      hint: WRONG_KEY_HINT,
    });
  }
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) {
    throw new CryptoError(WxCryptoCode.IllegalBuffer, `decrypted length field (${length}) runs past the data`, {
      hint: WRONG_KEY_HINT,
    });
  }
  const message = plain.subarray(20, 20 + length);
  const appId = plain.subarray(20 + length);
  if (!isUtf8(message) || !isUtf8(appId)) {
    throw new CryptoError(WxCryptoCode.IllegalBuffer, "decrypted message is not valid UTF-8", { hint: WRONG_KEY_HINT });
  }
  return {
    random: Buffer.from(plain.subarray(0, 16)),
    message: message.toString("utf8"),
    appId: appId.toString("utf8"),
  };
}
