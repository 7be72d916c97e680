import { describe, expect, it } from "vitest";
import { appPortOf, nginxConfig } from "../../../src/core/deploy/nginx.js";

describe("nginx text", () => {
  it("maps /wechat8013 with an exact and a sub-path location and no URI on proxy_pass", () => {
    const text = nginxConfig({ name: "s8013" });
    expect(text).toContain("location = /wechat8013 {");
    expect(text).toContain("location ^~ /wechat8013/ {");
    expect(text).not.toMatch(/proxy_pass http:\/\/127\.0\.0\.1:8013\//);
    expect(text).toMatch(/proxy_read_timeout 5s/);
    expect(appPortOf("s8013")).toBe(8013);
    expect(() => appPortOf("web")).toThrow(/appPort/);
  });
});
