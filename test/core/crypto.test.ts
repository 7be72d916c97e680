import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAesKey, MessageCrypto } from "../../src/core/wire/crypto.js";
import { CryptoError, WxCryptoCode } from "../../src/core/support/errors.js";
import { vectors } from "../helpers/vectors.js";
import { KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";

const crypto = new MessageCrypto({ token: "token", encodingAESKey: KEY, appId: "wx0123456789abcdef" });

function expectCode(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).wxCode).toBe(code);
    return;
  }
  throw new Error("expected a CryptoError");
}

describe("MessageCrypto vectors", () => {
  it.each(vectors.encrypt)("encrypts the $source vector byte for byte", (vector) => {
    const c = new MessageCrypto({ token: "t", encodingAESKey: vector.encodingAESKey, appId: vector.appId });
    expect(c.encrypt(vector.plaintext, Buffer.from(vector.random, "utf8"))).toBe(vector.encrypt);
    expect(c.decrypt(vector.encrypt)).toBe(vector.plaintext);
  });

  it.each(vectors.decrypt)("verifies and decrypts the $source request", (vector) => {
    const c = new MessageCrypto({ token: vector.token, encodingAESKey: vector.encodingAESKey, appId: vector.appId });
    expect(() =>
      c.verify({
        encrypt: vector.encrypt,
        timestamp: vector.timestamp,
        nonce: vector.nonce,
        msgSignature: vector.msgSignature,
      }),
    ).not.toThrow();
    expect(c.decrypt(vector.encrypt)).toBe(vector.plaintext);
  });
});

describe("MessageCrypto round trips", () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.constantFrom("", "中文😀", "a".repeat(32), "b".repeat(31)),
  );

  it("decrypts what it encrypts, for any text", () => {
    fc.assert(
      fc.property(text, (message) => {
        expect(crypto.decrypt(crypto.encrypt(message))).toBe(message);
      }),
      { numRuns: 300 },
    );
  });

  it("pads with 32 bytes of 0x20 when the plaintext is already a multiple of 32", () => {
    // 16 random + 4 length + 12 message bytes = 32; appId of 0 bytes keeps it aligned
    const aligned = new MessageCrypto({ token: "t", encodingAESKey: KEY, appId: "" });
    const encrypted = aligned.encrypt("x".repeat(12));
    expect(Buffer.from(encrypted, "base64").length).toBe(64);
    expect(aligned.decrypt(encrypted)).toBe("x".repeat(12));
  });

  it("interoperates with wechat-crypto in both directions, CJK and emoji included", () => {
    const peer = new WXBizMsgCrypt("token", KEY, "wx0123456789abcdef");
    fc.assert(
      fc.property(text, (message) => {
        expect(peer.decrypt(crypto.encrypt(message))).toEqual({ message, id: "wx0123456789abcdef" });
        expect(crypto.decrypt(peer.encrypt(message))).toBe(message);
      }),
      { numRuns: 200 },
    );
  });

  it("signs envelopes the way wechat-crypto does", () => {
    const peer = new WXBizMsgCrypt("token", KEY, "wx0123456789abcdef");
    const envelope = crypto.sign(crypto.encrypt("<xml/>"), "1409735669", "1320562132");
    expect(envelope.msgSignature).toBe(peer.getSignature("1409735669", "1320562132", envelope.encrypt));
  });
});

describe("MessageCrypto failures are distinct and never garbage", () => {
  const encrypted = crypto.encrypt("<xml><Content><![CDATA[hello]]></Content></xml>");

  it("rejects keys of the wrong length or alphabet (-40004)", () => {
    for (const bad of ["", "short", `${KEY}A`, KEY.slice(0, 42), `${KEY.slice(0, 42)}!`]) {
      expectCode(() => decodeAesKey(bad), WxCryptoCode.IllegalAesKey);
    }
    expect(decodeAesKey(KEY)).toHaveLength(32);
  });

  it("rejects bad base64 (-40010)", () => {
    for (const bad of ["not base64!", "abc", "", "%2B%2F"])
      expectCode(() => crypto.decrypt(bad), WxCryptoCode.DecodeBase64Error);
  });

  it("rejects ciphertext that is not whole AES blocks (-40007)", () => {
    expectCode(() => crypto.decrypt(Buffer.alloc(20).toString("base64")), WxCryptoCode.DecryptAESError);
  });

  it("rejects a wrong key (-40008)", () => {
    const other = new MessageCrypto({ token: "token", encodingAESKey: "A".repeat(43), appId: "wx0123456789abcdef" });
    expectCode(() => other.decrypt(encrypted), WxCryptoCode.IllegalBuffer);
  });

  it("rejects tampered ciphertext (-40008), whichever block is changed", () => {
    const bytes = Buffer.from(encrypted, "base64");
    for (let block = 0; block < bytes.length / 16; block++) {
      const tampered = Buffer.from(bytes);
      tampered[block * 16 + 3]! ^= 0x55;
      let outcome: string;
      try {
        outcome = crypto.decrypt(tampered.toString("base64"));
      } catch (error) {
        expect(error).toBeInstanceOf(CryptoError);
        continue;
      }
      // A flip in the first block only scrambles the random prefix: the message must then be intact.
      expect(block).toBe(0);
      expect(outcome).toBe("<xml><Content><![CDATA[hello]]></Content></xml>");
    }
  });

  it("rejects a message for another appId (-40005) but reports it from decryptRaw", () => {
    const other = new MessageCrypto({ token: "token", encodingAESKey: KEY, appId: "wxother" });
    expectCode(() => other.decrypt(encrypted), WxCryptoCode.ValidateAppIdError);
    expect(other.decryptRaw(encrypted).appId).toBe("wx0123456789abcdef");
  });

  it("rejects a msg_signature that does not match (-40001, a failed check)", () => {
    const envelope = crypto.sign(encrypted, "1", "2");
    expectCode(() => crypto.verify({ ...envelope, msgSignature: "0".repeat(40) }), WxCryptoCode.ValidateSignatureError);
    expectCode(() => crypto.verify({ ...envelope, nonce: "3" }), WxCryptoCode.ValidateSignatureError);
    try {
      crypto.verify({ ...envelope, nonce: "3" });
    } catch (error) {
      expect((error as CryptoError).kind).toBe("check");
    }
  });

  it("never returns garbage for random bytes of a valid length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => a.length * 32),
        fc.integer(),
        (length, seed) => {
          const random = Buffer.alloc(length);
          for (let i = 0; i < length; i++) random[i] = (seed * (i + 7) * 2654435761) >>> 24;
          expect(() => crypto.decrypt(random.toString("base64"))).toThrow(CryptoError);
        },
      ),
      { numRuns: 100 },
    );
  });
});
