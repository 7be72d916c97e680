import { Command } from "commander";
import { mask } from "../../core/support/redact.js";
import { InputError } from "../../core/support/errors.js";
import type { RemoteShell } from "../../core/remote/shell.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { ExitCode } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

const ACTIONS = ["set", "list", "unset", "check"] as const;
type Action = (typeof ACTIONS)[number];

/** The value to set: typed at a hidden prompt on a terminal, else stdin (one trailing newline dropped). */
async function readValue(cli: Cli, name: string): Promise<string> {
  if (cli.io.stdin.isTTY === true) {
    const { ask } = await import("../terminal/prompt.js");
    const typed = await ask(cli.io, `${name} (hidden; Enter when done): `, true);
    if (typed === undefined) throw new InputError(`no value for ${name} given`, { hint: "type it at the prompt" });
    return typed;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of cli.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** The local value `check` compares with: the Token (flag, WXDEV_TOKEN, config) for a Token's name, else $NAME. */
async function localValue(cli: Cli, self: Command, name: string): Promise<{ value: string; from: string }> {
  const { TOKEN_NAMES } = await import("../../core/remote/app/env.js");
  if (TOKEN_NAMES.includes(name)) {
    const { settings, sources } = cli.settings(self);
    if (settings.token) {
      const { describeSource } = await import("../options.js");
      return {
        value: settings.token,
        from: `your Token (${describeSource("token", sources.token, cli.config(self).path)})`,
      };
    }
    throw new InputError("no local Token to compare with", {
      hint: 'set WXDEV_TOKEN (or "token" in wxdev.config.json)',
    });
  }
  const value = cli.io.env[name];
  if (value === undefined || value === "")
    throw new InputError(`no local ${name} to compare with`, { hint: `set ${name} in this shell's environment` });
  return { value, from: `your ${name}` };
}

/** Does one action against the server's env file; returns the exit code, having printed what it found. */
async function runAction(
  cli: Cli,
  self: Command,
  out: Output,
  shell: RemoteShell,
  context: { server: string; remoteDir: string; action: Action; name?: string; value?: string },
): Promise<ExitCode> {
  const env = await import("../../core/remote/app/env.js");
  const { server, remoteDir, name = "" } = context;
  switch (context.action) {
    case "set": {
      const value = context.value ?? "";
      await env.setEnv(shell, remoteDir, name, value);
      if (out.json) out.printJson({ ok: true, server, set: name });
      else
        out.line(
          `${out.ok("✓")} ${name} set on ${server}: ${mask(value)}, in the app's env file (yours alone); ` +
            `wxdev restart ${server} gives it to the app`,
        );
      return ExitCode.Ok;
    }
    case "unset": {
      const had = await env.unsetEnv(shell, remoteDir, name);
      if (out.json) out.printJson({ ok: true, server, unset: name, was: had });
      else out.line(had ? `${out.ok("✓")} ${name} removed on ${server}` : `${name} was not set on ${server}`);
      return ExitCode.Ok;
    }
    case "list": {
      const entries = await env.listEnv(shell, remoteDir);
      if (out.json) out.printJson({ server, names: entries.map((entry) => entry.name) });
      else if (entries.length === 0) out.line(`no variables in the app's env file on ${server}`);
      else out.table(entries.map((entry) => [entry.name, mask(entry.value)]));
      return ExitCode.Ok;
    }
    case "check": {
      const local = await localValue(cli, self, name);
      const found = await env.compareEnv(shell, remoteDir, name, local.value);
      const ok = found.verdict === "same";
      if (out.json) out.printJson({ ok, server, name, ...found });
      else printComparison(out, server, name, local.from, found);
      return ok ? ExitCode.Ok : ExitCode.CheckFailed;
    }
  }
}

/** "WECHAT_TOKEN on s8013 matches your Token (WXDEV_TOKEN)", or how it does not, and the fix. */
function printComparison(
  out: Output,
  server: string,
  name: string,
  local: string,
  found: { verdict: "same" | "differs" | "unset"; from?: "file" | "shell" },
): void {
  const where = found.from === "file" ? "the app's env file" : "~/.bashrc (or the login's environment)";
  const fix = `set it with wxdev env ${server} set ${name}, then wxdev restart ${server}`;
  if (found.verdict === "same") out.line(`${out.ok("✓")} ${name} on ${server} (from ${where}) matches ${local}`);
  else if (found.verdict === "unset") out.error(`${name} is not set on ${server}: ${fix}`);
  else out.error(`${name} on ${server} (from ${where}) differs from ${local}: ${fix}`);
}

/** `wxdev env`: the app's environment on the server (the Token, keys): set, list, unset, check. */
export function envCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("env"))
    .argument("<action>", `${ACTIONS.join(", ")}`)
    .argument("[name]", "the variable, e.g. WECHAT_TOKEN")
    .action(async (server: string, action: string, name: string | undefined, options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      if (!(ACTIONS as readonly string[]).includes(action))
        throw new InputError(`unknown action ${JSON.stringify(action)}`, {
          hint: `use one of ${ACTIONS.join(", ")}, e.g. wxdev env ${server} set WECHAT_TOKEN`,
        });
      const { checkEnvName, checkEnvValue } = await import("../../core/remote/app/env.js");
      if (action !== "list") {
        if (name === undefined)
          throw new InputError(`${action} needs a variable name`, {
            hint: `e.g. wxdev env ${server} ${action} WECHAT_TOKEN`,
          });
        checkEnvName(name);
      }
      // Asked before connecting: the prompt must not wait on an open connection, nor a bad value cost one.
      let value: string | undefined;
      if (action === "set") {
        value = checkEnvValue(name ?? "", await readValue(cli, name ?? ""));
        cli.typedSecrets.push(value);
      }
      cli.exitCode = await withApp(cli, self, out, server, options, (shell, target) =>
        runAction(cli, self, out, shell, {
          server,
          remoteDir: target.server.remoteDir,
          action: action as Action,
          ...(name === undefined ? {} : { name }),
          ...(value === undefined ? {} : { value }),
        }),
      );
    });
  return withExamples(command, [
    "wxdev env s8013 set WECHAT_TOKEN          # asks for it, hidden; the app gets it at its next start",
    "printenv WXDEV_TOKEN | wxdev env s8013 set WECHAT_TOKEN   # from stdin, never on a command line",
    "wxdev env s8013 check WECHAT_TOKEN        # the server's and yours compared (by hash, on the server)",
    "wxdev env s8013 list",
    "wxdev env s8013 unset OLD_KEY",
  ]);
}
