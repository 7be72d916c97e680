import { Command } from "commander";
import { readFileSync } from "node:fs";
import type { Cli } from "./context.js";
import { decryptCommand } from "./commands/decrypt.js";
import { chatCommand } from "./commands/chat.js";
import { checkCommand } from "./commands/check.js";
import { demoCommand } from "./commands/demo.js";
import { deployCommand } from "./commands/deploy.js";
import { encryptCommand } from "./commands/encrypt.js";
import { handshakeCommand } from "./commands/handshake.js";
import { mockCommand } from "./commands/mock.js";
import { nginxCommand } from "./commands/nginx.js";
import { oauthUrlCommand } from "./commands/oauth-url.js";
import { oauthCommand } from "./commands/oauth.js";
import { serveCommand } from "./commands/serve.js";
import { signCommand } from "./commands/sign.js";
import { simulateCommand } from "./commands/simulate.js";
import { verifyCommand } from "./commands/verify.js";

/** Every command, in the order `wxdev --help` lists them. */
const COMMANDS: ((cli: Cli) => Command)[] = [
  signCommand,
  verifyCommand,
  encryptCommand,
  decryptCommand,
  simulateCommand,
  handshakeCommand,
  checkCommand,
  chatCommand,
  serveCommand,
  demoCommand,
  oauthUrlCommand,
  oauthCommand,
  mockCommand,
  deployCommand,
  nginxCommand,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Builds a fresh program for one run (a factory, so tests can build their own). */
export function createProgram(cli: Cli): Command {
  const program = new Command("wxdev")
    .description("Toolkit for WeChat Official Account server developers: sign, verify, encrypt, simulate, serve, deploy.")
    .version(version(), "--version", "print the version")
    .option("--json", "print the result as one JSON object")
    .option("--no-color", "no colour (also NO_COLOR, or when output is not a terminal)")
    .option("--config <file>", "config file (default: nearest wxdev.config.json)")
    .option("-v, --verbose", "more detail, and stack traces on errors")
    .showHelpAfterError("(run with --help for usage)");
  for (const make of COMMANDS) program.addCommand(make(cli));
  configureAll(program, cli);
  return program;
}

function configureAll(command: Command, cli: Cli): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => cli.io.stdout.write(text),
    writeErr: (text) => cli.io.stderr.write(text),
  });
  for (const sub of command.commands) configureAll(sub, cli);
}
