import { describe, expect, it } from "vitest";
import {
  makeNonce,
  makeTimestamp,
  msgSignature,
  safeEqual,
  signature,
  verifyMsgSignature,
  verifySignature,
} from "../../src/core/wire/signature.js";
import { vectors } from "../helpers/vectors.js";

describe("signature", () => {
  it.each(vectors.signature)("matches the $source vector", (vector) => {
    expect(signature(vector.token, vector.timestamp, vector.nonce)).toBe(vector.signature);
    expect(verifySignature(vector.token, vector.timestamp, vector.nonce, vector.signature)).toBe(true);
    expect(verifySignature(vector.token, vector.timestamp, vector.nonce, vector.signature.toUpperCase())).toBe(true);
  });

  it("sorts as strings, so the order of the parts does not matter", () => {
    expect(signature("b", "a", "c")).toBe(signature("c", "b", "a"));
  });

  it("rejects a signature for another token, timestamp or nonce", () => {
    const [vector] = vectors.signature;
    expect(verifySignature(`${vector!.token}x`, vector!.timestamp, vector!.nonce, vector!.signature)).toBe(false);
    expect(verifySignature(vector!.token, "1", vector!.nonce, vector!.signature)).toBe(false);
    expect(verifySignature(vector!.token, vector!.timestamp, vector!.nonce, "")).toBe(false);
  });
});

describe("msgSignature", () => {
  it.each(vectors.msgSignature)("matches the $source vector", (vector) => {
    expect(msgSignature(vector.token, vector.timestamp, vector.nonce, vector.encrypt)).toBe(vector.msgSignature);
    expect(verifyMsgSignature(vector.token, vector.timestamp, vector.nonce, vector.encrypt, vector.msgSignature)).toBe(
      true,
    );
  });

  it.each(vectors.decrypt)("matches the signed $source request", (vector) => {
    expect(msgSignature(vector.token, vector.timestamp, vector.nonce, vector.encrypt)).toBe(vector.msgSignature);
  });
});

describe("safeEqual", () => {
  it("compares by content and length", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "ab")).toBe(false);
  });
});

describe("generators", () => {
  it("makes timestamps in whole seconds", () => {
    expect(makeTimestamp(1_700_000_000_999)).toBe("1700000000");
    expect(makeTimestamp()).toMatch(/^\d{10}$/);
  });

  it("makes numeric nonces that differ", () => {
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    for (const nonce of nonces) expect(nonce).toMatch(/^\d{10}$/);
    expect(nonces.size).toBeGreaterThan(45);
  });
});
