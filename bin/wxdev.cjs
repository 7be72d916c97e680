#!/usr/bin/env node
// The installed `wxdev`. `--version` is answered here, exactly as commander would print it, before
// the CLI (commander and all) loads: a quarter of its start-up otherwise. Everything else runs main()
// from the one bundle the command line needs: the command's own (wxdev-<command>.cjs), or, for --help
// and any word that is no command, the CLI without a command's code (see esbuild.config.mjs).
"use strict";

const { existsSync } = require("node:fs");
const { join } = require("node:path");

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  process.stdout.write(`${require("../package.json").version}\n`);
} else {
  const bundles = join(__dirname, "..", "dist", "bundle");
  const command = require(join(bundles, "invoked-command.cjs")).invokedCommand(argv);
  const own = command !== undefined && /^[a-z][a-z-]*$/.test(command) && join(bundles, `wxdev-${command}.cjs`);
  require(own && existsSync(own) ? own : join(bundles, "wxdev.cjs"))
    .main(argv)
    .then((code) => {
      process.exitCode = code;
    });
}
