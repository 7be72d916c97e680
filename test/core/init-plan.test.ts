import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/core/config/file.js";
import { accountPort, checkHost, checkToken, PROJECT_FILES, planProject } from "../../src/core/init/plan.js";

describe("planProject", () => {
  it("plans exactly PROJECT_FILES (what init checks before asking), with a config the schema accepts", () => {
    const plan = planProject({ account: "s8042", host: "wx.example.edu" });
    expect(plan.files.map((file) => file.path)).toEqual([...PROJECT_FILES]);
    const config = plan.files.find((file) => file.path === "wxdev.config.json")?.content ?? "";
    expect(validateConfig(JSON.parse(config)).servers?.s8042).toMatchObject({
      appPort: 8042,
      checkUrl: "http://wx.example.edu/wechat8042",
    });
    expect(plan).toMatchObject({ appPort: 8042, path: "/wechat8042", localUrl: "http://127.0.0.1:8042/wechat8042" });
  });

  it.each([
    ["s8013", 8013],
    ["s1024", 1024],
    ["s65535", 65535],
  ])("account %s → port %i", (account, port) => expect(accountPort(account)).toBe(port));

  it.each(["8013", "s80", "s0080", "s70000", "S8013", "s8013 ", "tom"])("account %j is refused", (account) => {
    expect(() => accountPort(account)).toThrow(/is not a class account name/);
  });

  it("a host is a name or an address; a URL is refused with its host suggested", () => {
    expect(checkHost(" 101.200.170.171 ")).toBe("101.200.170.171");
    expect(() => checkHost("https://wx.example.edu:8080/x")).toThrow(/is not a host name/);
    try {
      checkHost("https://wx.example.edu:8080/x");
    } catch (error) {
      expect((error as { hint: string }).hint).toContain("e.g. wx.example.edu");
    }
    expect(() => checkHost("-oProxyCommand=x")).toThrow(/is not a host name/);
  });

  it("a Token follows the platform's rule: 3–32 letters and digits", () => {
    expect(checkToken("abc")).toBe("abc");
    expect(checkToken("a".repeat(32))).toBe("a".repeat(32));
    for (const bad of ["ab", "a".repeat(33), "with space", "dash-ed", "中文token"])
      expect(() => checkToken(bad)).toThrow();
  });
});
