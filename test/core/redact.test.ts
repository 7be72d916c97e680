import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/support/errors.js";
import { OAuthClient } from "../../src/core/oauth/client.js";
import { redactSecrets } from "../../src/core/support/redact.js";

const SECRET = "0123456789abcdef0123456789abcdef";

describe("redactSecrets", () => {
  it("hides the URL fetch quotes in its own error: user-info and the secret in the query", async () => {
    const url = `http://user:hunter22@127.0.0.1:9/sns/oauth2/access_token?appid=wx1&secret=${SECRET}&code=C`;
    const message = await fetch(url).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toContain(SECRET); // the witness: Node's fetch does quote it
    const redacted = redactSecrets(message);
    expect(redacted).not.toContain(SECRET);
    expect(redacted).not.toContain("hunter22");
    expect(redacted).toContain("http://***@127.0.0.1:9/sns/oauth2/access_token?appid=wx1&secret=***&code=C");
  });

  it("hides token parameters and known secrets anywhere, but leaves short known values alone", () => {
    expect(redactSecrets("GET /sns/userinfo?access_token=AT.1-x&openid=o1")).toBe(
      "GET /sns/userinfo?access_token=***&openid=o1",
    );
    expect(redactSecrets("?refresh_token=R1&grant_type=refresh_token")).toBe(
      "?refresh_token=***&grant_type=refresh_token",
    );
    expect(redactSecrets(`password ${SECRET} refused`, [SECRET, undefined])).toBe("password *** refused");
    expect(redactSecrets("/wechat8013 test", ["test"])).toBe("/wechat8013 test");
  });
});

describe("OAuthClient never quotes its secret", () => {
  it.each([
    ["credentials in the API base", "http://user:pw@127.0.0.1:9", /holds a user name or password/],
    ["an API base that is not a URL", "api.weixin.qq.com", /is not a URL/],
    ["an API base that is not http(s)", "ftp://127.0.0.1", /not an http\(s\) URL/],
  ])("%s is bad input, named without the secret", async (_name, apiBase, pattern) => {
    const client = new OAuthClient({ appId: "wx1", appSecret: SECRET, apiBase });
    const error = await client.exchangeCode("C").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(pattern);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(SECRET);
    expect((error as Error).message).not.toContain("pw@");
  });
});
