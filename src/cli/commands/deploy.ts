import { hostname, userInfo } from "node:os";
import { Command } from "commander";
import type { ServerConfig } from "../../core/config.js";
import type { DeployEvent, DeployResult, PostResult } from "../../core/deploy/deploy.js";
import { InputError } from "../../core/errors.js";
import type { Connection } from "../../core/remote/connection.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { onInterrupt } from "../deploy-interrupt.js";
import { serverFromConfig } from "../server-config.js";

interface DeployOptions {
  dryRun?: boolean;
  delete?: boolean;
  exec?: string;
  post: boolean;
  yes?: boolean;
  acceptNewHostKey?: boolean;
  rollback?: boolean | string;
  check?: boolean;
}

/** Who deploys, as the server's lock names it to a concurrent deploy. */
function holder(): string {
  let user = "someone";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): the host and pid still tell
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const files = (count: number): string => `${count} ${count === 1 ? "file" : "files"}`;

function summary(result: DeployResult): string {
  return (
    `uploaded ${files(result.uploaded)} (${kib(result.bytes)}), deleted ${result.deleted}, ` +
    `unchanged ${result.unchanged}, in ${result.seconds.toFixed(2)} s`
  );
}

function printPlan(out: Output, result: DeployResult): void {
  const { plan } = result;
  const replace = plan.replace.length ? `, replace ${plan.replace.length} (a file became a folder, or back)` : "";
  const kept = plan.kept.length ? `, kept ${plan.kept.length} (gone locally; --delete removes them)` : "";
  out.line(
    `plan: upload ${plan.upload.length} (${kib(plan.bytes)}), delete ${plan.delete.length}, ` +
      `unchanged ${plan.unchanged.length}${replace}${kept}`,
  );
  const changed = new Set(result.changed);
  for (const path of plan.upload)
    out.line(changed.has(path) ? `  ${out.c.yellow("~")} ${path}` : `  ${out.ok("+")} ${path}`);
  for (const path of plan.delete) out.line(`  ${out.bad("-")} ${path}`);
  for (const path of plan.replace) out.line(`  ${out.bad("-")} ${path} (in the way: a file became a folder, or back)`);
  if (result.wouldAdopt)
    out.line(
      "the remote directory is a plain folder: it would be kept as the first release and the live path made a link",
    );
  for (const command of result.wouldRun ?? []) out.line(`would run in the remote directory: ${command}`);
}

/** Flags that contradict each other: bad input, before anything connects. */
function checkFlags(options: DeployOptions, paths: string[], checkUrl: string | undefined): void {
  const clash = (what: string, hint: string): never => {
    throw new InputError(`${what} cannot go together`, hint);
  };
  if (options.exec !== undefined && options.post === false)
    clash("--no-post and --exec", "--exec replaces postDeploy for this run; --no-post runs nothing: pick one");
  if (options.exec !== undefined && options.dryRun)
    clash("--dry-run and --exec", "--dry-run runs nothing on the server; drop --exec to see the plan");
  if (options.rollback !== undefined && options.rollback !== false) {
    const extra = [options.dryRun && "--dry-run", options.delete && "--delete", paths.length > 0 && "paths"];
    const found = extra.filter(Boolean);
    if (found.length > 0)
      throw new InputError(
        `--rollback takes no ${found.join(", ")}`,
        "run wxdev deploy <server> --rollback on its own (it switches back and runs postDeploy)",
      );
  }
  // Never the local url: a check that passes against the laptop says nothing about the server.
  if (options.check && checkUrl === undefined)
    throw new InputError(
      '--check needs "checkUrl" for this server (the app\'s public URL through nginx, e.g. http://HOST/wechat8013)',
      'add "checkUrl" under the server in wxdev.config.json; the local "url" is never checked',
    );
}

/** `wxdev deploy`: incremental, atomic deploys over SSH. */
export function deployCommand(cli: Cli): Command {
  const command = new Command("deploy")
    .argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013')
    .argument("[paths...]", 'deploy only these paths (gitignore patterns) instead of "files"')
    .option("--dry-run", "print the plan and change nothing")
    .option("--delete", "remove remote files an earlier deploy put there that are gone locally")
    .option("--exec <cmd>", "run this after the switch instead of postDeploy (bash -lc, in the remote directory)")
    .option("--no-post", "do not run postDeploy")
    .option("-y, --yes", "trust an unknown host key on first use (same as --accept-new-host-key)")
    .option("--accept-new-host-key", "trust an unknown host key on first use and add it to ~/.ssh/known_hosts")
    .option("--rollback [id]", "switch back to the release live before this one (or to release ID)")
    .option("--check", "after deploying, do a signed handshake through checkUrl (or --check with config checkUrl)")
    .addHelpText("after", "\nThe SSH password comes from WXDEV_SSH_PASSWORD or a hidden prompt, never a flag.")
    .action(async (name: string, paths: string[], options: DeployOptions, self: Command) => {
      const out = cli.output(self);
      const { server, root } = serverFromConfig(cli, self, name);
      checkFlags(options, paths, server.checkUrl);
      const { connectWithPrompts } = await import("../ssh.js");
      let connection: Connection | undefined;
      const open = async (): Promise<Connection> =>
        (connection ??= await connectWithPrompts(server, cli.io, out, {
          acceptNewHostKey: options.yes === true || options.acceptNewHostKey === true,
          name,
        }));
      try {
        if (options.rollback !== undefined && options.rollback !== false) {
          const { rollback } = await import("../../core/deploy/deploy.js");
          const moved = await rollback((await open()).shell, server, {
            ...(typeof options.rollback === "string" ? { to: options.rollback } : {}),
            post: options.post === false ? null : options.exec,
            onEvent: streamOutput(cli, out),
            holder: holder(),
          });
          if (!out.json) out.line(`rolled back ${name}: ${moved.from} → ${moved.to}`);
          reportPost(cli, out, moved.post);
          if (out.json) out.printJson({ rolledBack: true, ...moved });
          return;
        }
        const interrupt = onInterrupt(out, () => connection?.close());
        const result = await runDeploy(cli, out, {
          open,
          server,
          root,
          paths,
          options,
          onInterrupt: interrupt.onEvent,
        }).finally(interrupt.dispose);
        if (result === undefined) return;
        const check =
          options.check || server.checkUrl !== undefined
            ? await checkAfter(cli, self, out, server.checkUrl)
            : undefined;
        if (out.json) out.printJson({ ...result, plan: undefined, check });
      } finally {
        connection?.close();
      }
    });
  return withExamples(command, [
    "wxdev deploy s8013 --dry-run",
    "WXDEV_SSH_PASSWORD=… wxdev deploy s8013 --yes",
    "wxdev deploy s8013 wechat.py --exec " +
      "'workon wechat && pkill -f \"^python wechat.py\"; nohup python wechat.py > app.log 2>&1 &'",
    "wxdev deploy s8013 --rollback",
    "wxdev deploy s8013 --rollback 20240501T120000123Z-1a2b3c",
  ]);
}

async function runDeploy(
  cli: Cli,
  out: Output,
  context: {
    open: () => Promise<Connection>;
    server: ServerConfig;
    root: string;
    paths: string[];
    options: DeployOptions;
    onInterrupt: (event: DeployEvent) => void;
  },
): Promise<DeployResult | undefined> {
  const { deploy } = await import("../../core/deploy/deploy.js");
  const { options } = context;
  // The bar needs the plan's size, which only the deploy knows: load it up front, start it on "plan".
  const progress = cli.io.stderr.isTTY && !out.json && !options.dryRun ? await import("../progress.js") : undefined;
  let bar: Awaited<ReturnType<NonNullable<typeof progress>["startProgress"]>> | undefined;
  let starting: Promise<void> | undefined;
  const showOutput = streamOutput(cli, out);
  const onEvent = (event: DeployEvent): void => {
    context.onInterrupt(event);
    if (event.type === "plan" && progress !== undefined && event.plan.bytes > 0) {
      starting = progress.startProgress(event.plan.bytes, "bytes").then((started) => {
        bar = started;
      });
    } else if (event.type === "upload") {
      bar?.update(event.bytes, `${event.files}/${event.totalFiles} files`);
    } else {
      // The upload is over: the bar goes before the server's own output, which it would otherwise redraw over.
      bar?.stop();
      bar = undefined;
      showOutput(event);
    }
  };
  const result = await deploy({
    shell: async () => (await context.open()).shell,
    server: context.server,
    root: context.root,
    paths: context.paths.length > 0 ? context.paths : undefined,
    delete: options.delete,
    dryRun: options.dryRun,
    post: options.post === false ? null : options.exec,
    onEvent,
    holder: holder(),
  });
  await starting;
  bar?.stop();
  if (result.gitignored.length > 0 && !out.json) {
    const shown = result.gitignored.slice(0, 5).join(", ") + (result.gitignored.length > 5 ? ", …" : "");
    out.note(
      `${result.gitignored.length} selected path(s) stay local because .gitignore lists them: ${shown}` +
        ' (name a file literally in "files" or on the command line to deploy it)',
    );
  }
  if (options.dryRun) {
    if (out.json) out.printJson({ ...result, plan: result.plan });
    else printPlan(out, result);
    return undefined;
  }
  if (!out.json)
    out.line(
      summary(result) +
        (result.release
          ? out.c.dim(` (release ${result.release})`)
          : out.c.dim(" (nothing changed: live release kept)")),
    );
  reportPost(cli, out, result.post);
  return result;
}

/** Streams the post-deploy command's output live (not under --json, whose stdout is one document). */
function streamOutput(cli: Cli, out: Output): (event: DeployEvent) => void {
  return (event) => {
    if (event.type === "warning") out.warn(event.message);
    if (event.type === "output" && !out.json)
      (event.stream === "stdout" ? cli.io.stdout : cli.io.stderr).write(event.chunk);
  };
}

/** A failed post-deploy command makes the exit code 1, with its stderr (or the signal that killed it) shown. */
function reportPost(cli: Cli, out: Output, post: PostResult | undefined): void {
  if (post === undefined || (post.code === 0 && !post.heldOpen)) return;
  cli.exitCode = 1;
  if (out.json) return;
  if (post.heldOpen) {
    out.error(
      `post-deploy command exited with ${post.code ?? "no status"}, but a process it started in the background kept` +
        " its output open, so wxdev waited for it, then stopped waiting (that process may die when it next writes):" +
        " start it with its output redirected, e.g. `nohup python wechat.py >> app.log 2>&1 < /dev/null &`," +
        ' or let wxdev run the app ("start" in the server\'s config)',
    );
    return;
  }
  const stderr = post.stderr.trim().split("\n").slice(-3).join(" | ") || "(no stderr)";
  if (post.signal !== undefined) {
    const hint = /pkill -f|killall/.test(post.command)
      ? " (pkill -f also matches the shell running this command, whose command line holds the pattern:" +
        " anchor it, e.g. pkill -f '^python wechat.py')"
      : "";
    out.error(`post-deploy command was killed by signal ${post.signal}${hint}: ${stderr}`);
  } else {
    out.error(`post-deploy command exited with ${post.code ?? "no status"}: ${stderr}`);
  }
}

async function checkAfter(
  cli: Cli,
  command: Command,
  out: Output,
  checkUrl: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const { settings } = cli.settings(command);
  // checkUrl only: the local url would check the laptop, not the server (checkFlags refused --check without it).
  const url = checkUrl;
  if (url === undefined || settings.token === undefined) {
    out.error("--check needs the Token (WXDEV_TOKEN or token in wxdev.config.json): the check was not run");
    cli.exitCode = 2;
    return undefined;
  }
  const { handshake } = await import("../../core/client/handshake.js");
  const { createTarget } = await import("../../core/client/target.js");
  const { handshakeJson, renderHandshake } = await import("../render.js");
  const result = await handshake(createTarget({ url, token: settings.token }));
  if (!result.ok) cli.exitCode = 1;
  if (!out.json) renderHandshake(out, result, { through: "the proxy" });
  return handshakeJson(result);
}
