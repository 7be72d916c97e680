#!/usr/bin/env node
// The installed `wxdev`. `--version` is answered here, exactly as commander would print it, before
// the CLI (commander and all) loads: a quarter of its start-up otherwise. Everything else runs main().
import { readFileSync } from "node:fs";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  // The bundle's require() of Node's built-ins: process.getBuiltinModule (Node >= 20.16) where it exists.
  if (process.getBuiltinModule === undefined) {
    const { createRequire } = await import("node:module");
    globalThis.__wxdevRequire = createRequire(import.meta.url);
  }
  const { main } = await import("../dist/bundle/index.js");
  process.exitCode = await main(argv);
}
