import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jsapiSignature, makeNonceStr, signedUrl, wxConfig } from "../../src/core/wire/jsapi.js";
import { vectors } from "../helpers/vectors.js";

describe("jsapiSignature matches the public vectors (test/fixtures/wechat-vectors.json)", () => {
  it.each(vectors.jsapiSignature.map((vector) => [vector.source, vector] as const))("%s", (_source, vector) => {
    expect(jsapiSignature(vector)).toBe(vector.signature);
    // The same vector through wx.config: the fields a page passes, timestamp as a number.
    expect(wxConfig({ ...vector, appId: "wx1" })).toEqual({
      config: {
        appId: "wx1",
        timestamp: Number(vector.timestamp),
        nonceStr: vector.nonceStr,
        signature: vector.signature,
      },
      url: vector.url,
    });
  });

  it("the documentation's example, computed here with node:crypto's own sha1 over the documented string", () => {
    const [doc] = vectors.jsapiSignature;
    const plain = `jsapi_ticket=${doc?.ticket}&noncestr=${doc?.nonceStr}&timestamp=${doc?.timestamp}&url=${doc?.url}`;
    expect(createHash("sha1").update(plain).digest("hex")).toBe("0f9de62fce790f9a083d5c99e95740ceb90c27ed");
  });
});

describe("the URL is signed without its fragment, as typed otherwise", () => {
  const [doc] = vectors.jsapiSignature;
  if (doc === undefined) throw new Error("no jsapi vector");

  it.each([
    ["http://mp.weixin.qq.com?params=value#wechat_redirect", "http://mp.weixin.qq.com?params=value"],
    ["https://example.com/#/route?x=1#again", "https://example.com/"],
    ["https://example.com/page?q=a%20b&x=中文", "https://example.com/page?q=a%20b&x=中文"],
  ])("%s signs %s", (url, signed) => {
    expect(signedUrl(url)).toBe(signed);
  });

  it("a URL with #… signs as the one without, and says what was dropped", () => {
    const signed = wxConfig({ ...doc, url: `${doc.url}#/share` });
    expect(signed.config.signature).toBe(doc.signature);
    expect(signed.url).toBe(doc.url);
    expect(signed.droppedFragment).toBe("#/share");
    expect(wxConfig(doc).droppedFragment).toBeUndefined();
  });

  it("values are signed raw: an encoded URL is another signature", () => {
    expect(jsapiSignature({ ...doc, url: encodeURIComponent(doc.url) })).not.toBe(doc.signature);
  });
});

describe("fresh nonce and timestamp", () => {
  it("default to 16 letters and digits and the current second", () => {
    const signed = wxConfig({ ticket: "t", url: "https://example.com/" }, 1_700_000_000_999);
    expect(signed.config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(signed.config.timestamp).toBe(1_700_000_000);
    expect(signed.config.signature).toBe(
      jsapiSignature({
        ticket: "t",
        url: "https://example.com/",
        nonceStr: signed.config.nonceStr,
        timestamp: "1700000000",
      }),
    );
    expect(new Set(Array.from({ length: 50 }, makeNonceStr)).size).toBe(50);
  });
});
