import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { MissingSettingError, SETTING_KEYS, SETTINGS, type SettingSpec } from "../../src/core/config/settings.js";
import { InputError } from "../../src/core/support/errors.js";
import {
  describeSource,
  hintFor,
  parsePositiveInt,
  parseSeconds,
  parseTimeout,
  portParser,
  settingAdvice,
  settingFlag,
  settingOption,
} from "../../src/cli/options.js";

describe("option parsers", () => {
  it.each([
    ["0", 0, 0],
    ["8013", 0, 8013],
    ["65535", 1, 65535],
  ] as const)("port %s (min %i) is %i", (value, min, port) => {
    expect(portParser(min)(value)).toBe(port);
  });

  it.each([
    ["abc", 0],
    ["", 0],
    ["65536", 0],
    ["-1", 0],
    ["80.5", 0],
    ["0", 1],
  ] as const)("port %j (min %i) is refused", (value, min) => {
    expect(() => portParser(min)(value)).toThrow(/not a port number: use \d-65535/);
  });

  it.each([
    ["5", 5],
    ["0.5", 0.5],
    ["3600", 3600],
  ])("timeout %s is %d s", (value, seconds) => expect(parseTimeout(value)).toBe(seconds));

  it.each([
    ["0", /not a number of seconds/],
    ["", /not a number of seconds/],
    ["soon", /not a number of seconds/],
    ["3601", /more than an hour/],
  ])("timeout %j is refused", (value, message) => expect(() => parseTimeout(value)).toThrow(message));

  it("seconds take 0 and whole numbers only", () => {
    expect(parseSeconds("0")).toBe(0);
    expect(parseSeconds("300")).toBe(300);
    for (const bad of ["five", "-1", "1.5", "1234567890"]) expect(() => parseSeconds(bad)).toThrow(/not a number/);
  });

  it("counts are whole numbers of at least 1", () => {
    expect(parsePositiveInt("1")).toBe(1);
    expect(parsePositiveInt("2000")).toBe(2000);
    for (const bad of ["0", "lots", "-3", "2.5"]) expect(() => parsePositiveInt(bad)).toThrow(/at least 1/);
  });

  it("a bad value is commander's usage error, before the action runs", async () => {
    let ran = false;
    const command = new Command("t")
      .exitOverride()
      .configureOutput({ writeErr: () => undefined })
      .addOption(settingOption("mode"))
      .option("--port <port>", "port", portParser())
      .action(() => {
        ran = true;
      });
    await expect(command.parseAsync(["--port", "x"], { from: "user" })).rejects.toThrow(CommanderError);
    await expect(command.parseAsync(["--mode", "secure"], { from: "user" })).rejects.toThrow(CommanderError);
    expect(ran).toBe(false);
    await command.parseAsync(["--port", "8080", "--mode", "safe"], { from: "user" });
    expect(command.opts()).toEqual({ port: 8080, mode: "safe" });
  });
});

describe("options and advice derive from SETTINGS", () => {
  it("each setting with a flag makes its option, with the table's help and key", () => {
    for (const key of SETTING_KEYS) {
      const spec: SettingSpec = SETTINGS[key];
      if (spec.flag === undefined) {
        expect(() => settingOption(key)).toThrow(/no flag/);
        continue;
      }
      const option = settingOption(key);
      expect(option.flags).toBe(spec.flag);
      expect(option.description).toBe(spec.help);
      expect(option.attributeName()).toBe(key);
    }
    expect(settingOption("mode").argChoices).toEqual(["plain", "compat", "safe"]);
    expect(settingOption("appId", "other help").description).toBe("other help");
  });

  it("secrets have no flag, so they stay out of shell history", () => {
    expect(settingFlag("appSecret")).toBeUndefined();
  });

  it.each([
    [["token"], 'set it with --token, WXDEV_TOKEN or "token" in wxdev.config.json'],
    [["appSecret"], 'set it with WXDEV_APP_SECRET or "appSecret" in wxdev.config.json'],
    [["apiBase"], 'set it with --api-base or "apiBase" in wxdev.config.json'],
    [
      ["aesKey", "appId"],
      'set aesKey (--aes-key, WXDEV_AES_KEY or "aesKey" in wxdev.config.json)' +
        ' and appId (--app-id, WXDEV_APP_ID or "appId" in wxdev.config.json)',
    ],
  ] as const)("advice for %j", (keys, advice) => {
    expect(settingAdvice(keys)).toBe(advice);
  });

  it.each([
    ["appSecret", "env", "WXDEV_APP_SECRET"],
    ["appSecret", "file", "the config file"],
    ["appId", "flag", "--app-id"],
  ] as const)("%s from %s is described as %s", (key, source, text) => {
    expect(describeSource(key, source)).toBe(text);
  });

  it("a core error names the setting key, not a flag or variable", () => {
    const error = new MissingSettingError(["aesKey", "appId"], "safe mode needs the EncodingAESKey and appId");
    expect(error.keys).toEqual(["aesKey", "appId"]);
    expect(error.hint).toBe('set "aesKey" and "appId"');
    expect(new MissingSettingError("token").message).toBe("missing token");
  });

  it("a core hint that names an input gets its flag: every place for a setting, the command's own flag else", () => {
    const command = new Command("serve").option("--port <port>").option("--host <host>");
    new Command("wxdev").option("--config <file>").addCommand(command);
    const hinted = (input: string) => hintFor(new InputError("x", { hint: "h", input }), command);
    expect(hinted("token")).toBe('h (--token, WXDEV_TOKEN or "token" in wxdev.config.json)');
    expect(hinted("sshPassword")).toBe('h (WXDEV_SSH_PASSWORD or "sshPassword" in wxdev.config.json)');
    expect(hinted("port")).toBe("h (--port)");
    expect(hinted("config")).toBe("h (--config)");
    expect(hinted("echostr")).toBe("h");
    const example = new InputError("x", { hint: "pick e.g. 8013", input: "port", example: "8013" });
    expect(hintFor(example, command)).toBe("pick e.g. --port 8013");
    expect(hintFor(new InputError("x", { hint: "h" }), command)).toBe("h");
    expect(hintFor(new MissingSettingError("appSecret"), command)).toBe(
      'set it with WXDEV_APP_SECRET or "appSecret" in wxdev.config.json',
    );
  });
});
