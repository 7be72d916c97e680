import { describe, expect, it } from "vitest";
import { appPortFor, callbackPath, portInName } from "../../src/core/config/class-account.js";
import { resolveSettings, withDefaults } from "../../src/core/config/settings.js";

describe("the class account rule: s8013 runs on port 8013 behind /wechat8013", () => {
  it.each([
    ["s8013", 8013],
    ["s80", 80],
    ["s65535", 65535],
    ["s65536", undefined],
    ["s123456", undefined],
    ["s8", undefined],
    ["x8013", undefined],
    ["s8013a", undefined],
    ["S8013", undefined],
  ])("%s carries port %s", (name, port) => {
    expect(portInName(name)).toBe(port);
  });

  it("a server's appPort wins over its name; neither: undefined", () => {
    expect(appPortFor("s8013", 9000)).toBe(9000);
    expect(appPortFor("s8013", undefined)).toBe(8013);
    expect(appPortFor("web", undefined)).toBeUndefined();
  });

  it("the callback path", () => {
    expect(callbackPath(8013)).toBe("/wechat8013");
  });
});

describe("defaults come from the SETTINGS table", () => {
  it("mode is plain when nobody sets it, and says so", () => {
    const resolved = withDefaults(resolveSettings({ config: {}, env: {}, flags: {} }));
    expect(resolved).toEqual({ settings: { mode: "plain" }, sources: { mode: "default" } });
  });

  it("a mode that is set stays", () => {
    const resolved = withDefaults(resolveSettings({ config: { mode: "compat" }, env: {}, flags: { mode: "safe" } }));
    expect(resolved).toEqual({ settings: { mode: "safe" }, sources: { mode: "flag" } });
  });
});
