import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/registry.js";
import { BIN, cleanEnv } from "../helpers/cli.js";

// What a start-up loads, seen from inside the real process: a preloaded probe reports, at exit, Node's
// own modules (process.moduleLoadList) and the files required. Speed itself is measured in
// bench/startup.bench.js; this checks the path that makes it: the CommonJS loader alone (Node's ESM loader
// costs more than the CLI's code), one bundle file, and no command's heavy modules before that command runs.
// Output goes to /dev/null and the report to a file: a pipe would load node:net by itself.
const PROBE = `process.on("exit", () => require("node:fs").writeFileSync(process.env.PROBE_OUT, JSON.stringify({
  internal: process.moduleLoadList, files: Object.keys(require.cache).filter((file) => !file.endsWith("probe.cjs")),
})));`;

/**
 * Runs `<name> --help` for each name given, in one Node process (a start-up each would cost more than the whole
 * check): the bundle bin/wxdev.cjs would pick (invoked-command.cjs), its main() with output collected; prints
 * what each did as JSON.
 */
const EVERY_COMMAND = `const { join } = require("node:path"); const { PassThrough, Readable } = require("node:stream");
const [bundles, ...names] = process.argv.slice(1);
const { invokedCommand } = require(join(bundles, "invoked-command.cjs"));
const collect = () => {
  const stream = new PassThrough(); let text = "";
  stream.on("data", (chunk) => (text += chunk));
  return [stream, () => text];
};
(async () => {
  const runs = [];
  for (const name of names) {
    const argv = [name, "--help"];
    const bundle = "wxdev-" + invokedCommand(argv) + ".cjs";
    const [stdout, out] = collect(); const [stderr, err] = collect();
    const io = { stdout, stderr, stdin: Readable.from([]), env: process.env, cwd: process.cwd() };
    const code = await require(join(bundles, bundle)).main(argv, io);
    runs.push({ name, bundle, code, out: out(), err: err() });
  }
  process.stdout.write(JSON.stringify(runs));
})();`;

interface Loaded {
  internal: string[];
  files: string[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wxdev-startup-"));
  writeFileSync(join(dir, "probe.cjs"), PROBE);
  writeFileSync(join(dir, "empty.cjs"), "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Stdio = "ignore" | "pipe" | number;

/** Where bin/wxdev.cjs finds the CLI bundles. */
const BUNDLES = join(dirname(BIN), "..", "dist", "bundle");

function loadedBy(script: string, args: string[] = [], stderr: Stdio = "ignore", stdout: Stdio = "ignore"): Loaded {
  const out = join(dir, "loaded.json");
  const result = spawnSync(process.execPath, ["--require", join(dir, "probe.cjs"), script, ...args], {
    env: cleanEnv({ PROBE_OUT: out }),
    stdio: ["ignore", stdout, stderr],
  });
  expect(result.status).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as Loaded;
}

const esmLoader = (loaded: Loaded) => loaded.internal.filter((name) => name.includes("internal/modules/esm/"));
const heavy = (loaded: Loaded) =>
  loaded.internal.filter((name) => /^NativeModule (http|https|net|child_process)$/.test(name));

describe("wxdev's start-up path", () => {
  const runs: [string, string[], string][] = [
    ["sign", ["sign", "--token", "t", "--timestamp", "1", "--nonce", "2"], "wxdev-sign.cjs"],
    ["--help", ["--help"], "wxdev.cjs"],
    ["simulate --help", ["simulate", "--help"], "wxdev-simulate.cjs"],
    ["deploy --help", ["--no-color", "help", "deploy"], "wxdev-deploy.cjs"],
  ];

  // Each start-up is probed once, for both of the checks below.
  const probed = new Map<string, Loaded>();
  const probe = (args: string[]): Loaded => {
    const key = args.join(" ");
    if (!probed.has(key)) probed.set(key, loadedBy(BIN, args));
    return probed.get(key) as Loaded;
  };
  let empty: Loaded | undefined;

  it.each(runs)("%s: no more of Node's ESM loader than an empty CommonJS script", (_, args) => {
    empty ??= loadedBy(join(dir, "empty.cjs"));
    expect(esmLoader(probe(args))).toEqual(esmLoader(empty));
  });

  it.each(runs)(
    "%s: the shim and one CLI bundle (%s), no npm dependency, no network or processes",
    (_, args, bundle) => {
      const loaded = probe(args);
      const names = loaded.files.map((file) => file.slice(file.lastIndexOf("/") + 1));
      expect(names).toEqual(["wxdev.cjs", "invoked-command.cjs", bundle, "commander.cjs"]);
      expect(heavy(loaded)).toEqual([]);
    },
  );

  it("--help with stderr a pipe: the stream is not opened (a pipe's loads node:net) when nothing goes to it", () => {
    expect(heavy(loadedBy(BIN, ["--help"], "pipe"))).toEqual([]);
  });

  // A pipe gets the stream (test/e2e/stdio.test.ts: serve with a pipe nobody empties).
  it.each(["ignore", "file"] as const)(
    "help to %s: text written without building a stream (node:stream) or loading node:crypto",
    (where) => {
      const stdout: Stdio = where === "file" ? openSync(join(dir, "help.txt"), "w") : where;
      try {
        for (const [name, args] of runs.filter(([name]) => name !== "sign")) {
          const loaded = loadedBy(BIN, args, "ignore", stdout);
          const extra = loaded.internal.filter((module) => /^NativeModule (stream|crypto)$/.test(module));
          expect({ name, extra }).toEqual({ name, extra: [] });
        }
      } finally {
        if (typeof stdout === "number") closeSync(stdout);
      }
    },
  );

  it("a command that needs them loads them when it runs (the probe sees lazy loads)", () => {
    const loaded = loadedBy(BIN, ["demo"]);
    expect(heavy(loaded)).toContain("NativeModule http");
    expect(loaded.files.some((file) => file.includes("/node_modules/"))).toBe(true);
  });

  it("every command runs from its own bundle", () => {
    const names = COMMANDS.map(({ name }) => name);
    const result = spawnSync(process.execPath, ["-e", EVERY_COMMAND, BUNDLES, ...names], {
      env: cleanEnv(),
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    const runs = JSON.parse(result.stdout) as {
      name: string;
      bundle: string;
      code: number;
      out: string;
      err: string;
    }[];
    expect(runs.map((run) => run.name)).toEqual(names);
    for (const { name, bundle, code, out, err } of runs) {
      expect({ name, bundle, code, err }).toEqual({ name, bundle: `wxdev-${name}.cjs`, code: 0, err: "" });
      expect(out).toContain(`Usage: wxdev ${name} `);
    }
  });
});
