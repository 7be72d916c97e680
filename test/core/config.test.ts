import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile, loadConfig, validateConfig } from "../../src/core/config/file.js";
import { mask } from "../../src/core/support/redact.js";
import { resolveSettings, SETTING_KEYS, SETTINGS, type SettingSpec } from "../../src/core/config/settings.js";
import { ConfigError } from "../../src/core/support/errors.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

function project(config: unknown): string {
  const dir = temp("wxdev-config-");
  writeFileSync(join(dir, "wxdev.config.json"), typeof config === "string" ? config : JSON.stringify(config));
  return dir;
}

describe("loadConfig", () => {
  it("finds wxdev.config.json in a parent directory", () => {
    const dir = project({ token: "t" });
    const nested = join(dir, "a", "b");
    mkdirSync(nested, { recursive: true });
    expect(findConfigFile(nested)).toBe(join(dir, "wxdev.config.json"));
    expect(loadConfig({ cwd: nested }).config).toEqual({ token: "t" });
  });

  it("returns an empty config when there is none, and honours an explicit path", () => {
    const empty = temp("wxdev-none-");
    expect(loadConfig({ cwd: empty }).config).toEqual(findConfigFile(empty) ? expect.anything() : {});
    const dir = project({ appId: "wx1" });
    expect(loadConfig({ cwd: empty, path: join(dir, "wxdev.config.json") }).config).toEqual({ appId: "wx1" });
  });

  it("names a missing file, bad JSON, an unknown key and a bad type", () => {
    expect(() => loadConfig({ cwd: tmpdir(), path: "/nonexistent/wxdev.json" })).toThrow(/cannot read config file/);
    expect(() => loadConfig({ cwd: project("{ token: ") })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ cwd: project({ tokn: "x" }) })).toThrow(/unknown key "tokn"/);
    expect(() => loadConfig({ cwd: project({ token: 5 }) })).toThrow(/"token" must be a string/);
    expect(() => loadConfig({ cwd: project({ mode: "secure" }) })).toThrow(/"mode" must be one of plain, compat, safe/);
    expect(() => loadConfig({ cwd: project('{"toString": "x"}') })).toThrow(/unknown key "toString"/);
    expect(() => loadConfig({ cwd: project('{"__proto__": {"token": "x"}}') })).toThrow(/unknown key "__proto__"/);
  });

  it("accepts a file saved with a UTF-8 byte-order mark", () => {
    expect(loadConfig({ cwd: project(`\uFEFF${JSON.stringify({ token: "t" })}`) }).config).toEqual({ token: "t" });
  });

  it("validates servers and names the nested key", () => {
    const server = { host: "h", username: "s8013", remoteDir: "~/tom" };
    expect(validateConfig({ servers: { s8013: { ...server, port: 22, appPort: 8013, files: ["a"] } } })).toBeTruthy();
    expect(() => validateConfig({ servers: { s8013: { ...server, prot: 22 } } })).toThrow(
      /unknown key "servers.s8013.prot"/,
    );
    expect(() => validateConfig({ servers: { s8013: { ...server, port: "22" } } })).toThrow(
      /"servers.s8013.port" must be a port number/,
    );
    expect(() => validateConfig({ servers: { s8013: { host: "h", username: "u" } } })).toThrow(
      /"servers.s8013.remoteDir" is required/,
    );
    for (const remoteDir of ["~", "~/", "/", ".", ""]) {
      expect(() => validateConfig({ servers: { s8013: { ...server, remoteDir } } })).toThrow(
        /"servers.s8013.remoteDir" must be a folder of its own/,
      );
    }
    expect(() => validateConfig({ servers: { s8013: { ...server, host: "" } } })).toThrow(
      /"servers.s8013.host" must be a non-empty string/,
    );
    try {
      validateConfig({ servers: { s8013: { ...server, files: "a" } } });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("servers.s8013.files");
    }
  });
});

describe("resolveSettings", () => {
  const config = { token: "file-token", appId: "file-app", url: "http://file" };

  it("takes flags over environment over file, ignoring undefined flags and empty env", () => {
    const { settings, sources } = resolveSettings({
      config,
      env: { WXDEV_TOKEN: "env-token", WXDEV_APP_ID: "", WXDEV_URL: "http://env" },
      flags: { token: undefined, url: "http://flag" },
    });
    expect(settings).toEqual({ token: "env-token", appId: "file-app", url: "http://flag" });
    expect(sources).toEqual({ token: "env", appId: "file", url: "flag" });
  });

  it("reads every setting from its table row: the variable named there, and the file's key", () => {
    for (const key of SETTING_KEYS) {
      const spec: SettingSpec = SETTINGS[key];
      const value = key === "mode" ? "safe" : `${key}-value`;
      expect(validateConfig({ [key]: value })).toEqual({ [key]: value });
      expect(resolveSettings({ config: { [key]: value }, env: {}, flags: {} }).sources).toEqual({ [key]: "file" });
      if (spec.env === undefined) continue;
      const fromEnv = resolveSettings({ config: {}, env: { [spec.env]: value }, flags: {} });
      expect(fromEnv.settings).toEqual({ [key]: value });
      expect(fromEnv.sources).toEqual({ [key]: "env" });
    }
  });

  it("rejects an unknown mode from a flag", () => {
    expect(() => resolveSettings({ config: {}, env: {}, flags: { mode: "secure" as never } })).toThrow(ConfigError);
  });
});

describe("mask", () => {
  it("never shows a secret in full", () => {
    const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    expect(mask(key)).not.toContain(key.slice(2, -2));
    expect(mask(key)).toMatch(/^ab\*+FG \(43 chars\)$/);
    expect(mask("short")).toBe("*****");
    expect(mask(undefined)).toBe("(not set)");
  });
});
