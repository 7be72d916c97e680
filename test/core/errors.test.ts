import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runChecks } from "../../src/core/client/check.js";
import { createTarget } from "../../src/core/client/target.js";
import { loadConfig } from "../../src/core/config/file.js";
import type { MessageCrypto } from "../../src/core/wire/crypto.js";
import { openRequest } from "../../src/core/wire/envelope.js";
import {
  CheckFailedError,
  ConfigError,
  CryptoError,
  InputError,
  WxCryptoCode,
  WxdevError,
  XmlError,
} from "../../src/core/support/errors.js";
import { DeployError } from "../../src/core/remote/releases/steps.js";
import { listen } from "../../src/core/support/listen.js";
import { authorizeUrl } from "../../src/core/oauth/authorize-url.js";
import { readProblem, readTextFile } from "../../src/core/support/read-file.js";
import { ConnectionLostError } from "../../src/core/remote/shell.js";
import { parseXml } from "../../src/core/wire/xml.js";
import { tempDirs } from "../helpers/temp.js";

const dir = tempDirs()("wxdev-errors-");

describe("error classes take (message, { hint, code, cause })", () => {
  const cause = new Error("the reason");
  it.each([
    ["InputError", new InputError("m", { hint: "h", cause }), "BAD_INPUT", "input"],
    ["InputError, own code", new InputError("m", { hint: "h", code: "X", cause }), "X", "input"],
    ["CheckFailedError", new CheckFailedError("m", { hint: "h", cause }), "CHECK_FAILED", "check"],
    ["XmlError", new XmlError("m", { hint: "h", cause }), "BAD_XML", "input"],
    ["DeployError", new DeployError("m", { hint: "h", cause }), "CHECK_FAILED", "check"],
    ["ConfigError", new ConfigError("m", { hint: "h", key: "token", cause }), "BAD_CONFIG", "input"],
  ])("%s", (_name, error, code, kind) => {
    expect(error).toBeInstanceOf(WxdevError);
    expect(error).toMatchObject({ message: "m", hint: "h", code, kind, cause });
  });

  it("CryptoError and ConnectionLostError carry a cause too", () => {
    const crypto = new CryptoError(WxCryptoCode.DecryptAESError, "m", { hint: "h", cause });
    expect(crypto).toMatchObject({ code: "DecryptAESError", hint: "h", wxCode: -40007, cause });
    const lost = new ConnectionLostError("connection to s lost", { cause });
    expect(lost).toMatchObject({ code: "CONNECTION_LOST", kind: "check", cause });
  });

  it("without options: no hint, no cause (not even an own 'cause' property)", () => {
    const error = new InputError("m");
    expect([error.hint, error.code, "cause" in error]).toEqual([undefined, "BAD_INPUT", false]);
  });
});

describe("a wrapped error keeps its cause", () => {
  const thrown = (action: () => unknown): WxdevError => {
    try {
      action();
    } catch (error) {
      if (error instanceof WxdevError) return error;
      throw error;
    }
    throw new Error("did not throw");
  };
  it.each([
    ["XML nested too deep", () => parseXml(`<xml>${"<a>".repeat(200)}x${"</a>".repeat(200)}</xml>`), Error],
    ["an envelope that is not XML", () => openRequest({} as MessageCrypto, "<xml>", {} as never), XmlError],
    ["a callback URL that is not one", () => createTarget({ url: "nope", token: "t" }), TypeError],
    ["a relative redirect URI", () => authorizeUrl({ appId: "wx1", redirectUri: "/index" }), TypeError],
    ["a config file that is missing", () => loadConfig({ cwd: dir, path: "missing.json" }), Error],
  ])("%s", (_name, action, causeType) => {
    const error = thrown(action);
    expect(error.cause).toBeInstanceOf(causeType);
  });

  it("a busy port: the listen error is the cause", async () => {
    const first = createServer();
    const { port, close } = await listen(first, 0, "127.0.0.1");
    try {
      const error = await listen(createServer(), port, "127.0.0.1").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).cause).toMatchObject({ code: "EADDRINUSE" });
    } finally {
      await close();
    }
  });
});

describe("readProblem and readTextFile say why a file cannot be read", () => {
  it.each([
    ["ENOENT", "no such file (ENOENT)"],
    ["EACCES", "permission denied (EACCES)"],
    ["EISDIR", "is a directory (EISDIR)"],
    ["EMFILE", "too many open files (EMFILE)"],
  ])("%s", (code, reason) => {
    const message = code === "EMFILE" ? "too many open files" : "whatever";
    expect(readProblem(Object.assign(new Error(message), { code }))).toBe(reason);
  });

  it("names the file, says why, keeps the fs error as cause", async () => {
    const error = await readTextFile(join(dir, "nope"), { name: "body file nope", hint: "h" }).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("cannot read body file nope: no such file (ENOENT)");
    expect(error.cause).toMatchObject({ code: "ENOENT" });
    await expect(readTextFile(dir)).rejects.toThrow(`cannot read ${dir}: is a directory (EISDIR)`);
  });
});

describe("runChecks", () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("a bug (a TypeError) surfaces as itself, not as a failed check", async () => {
    server = createServer((request, response) => {
      const echostr = new URL(request.url ?? "/", "http://x").searchParams.get("echostr");
      response.end(echostr ?? "success");
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w`;
    const broken = {
      encrypt(): never {
        throw new TypeError("a bug in wxdev");
      },
    } as unknown as MessageCrypto;
    const target = createTarget({ url, token: "t", crypto: broken, timeoutMs: 2_000 });
    await expect(runChecks({ target, allModes: true })).rejects.toThrow(TypeError);
  });
});
