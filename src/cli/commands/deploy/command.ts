import { hostname, userInfo } from "node:os";
import { dirname } from "node:path";
import { Command } from "commander";
import { appPortFor } from "../../../core/config/class-account.js";
import type { ServerConfig } from "../../../core/config/file.js";
import type { DeployEvent } from "../../../core/deploy/deploy.js";
import type { Connection } from "../../../core/remote/ssh/connection.js";
import type { RemoteShell } from "../../../core/remote/shell.js";
import { withConnectFlags } from "../../remote/app-target.js";
import type { Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import type { Output } from "../../output.js";
import { type DeployFlags, type DeployRequest, parseDeployArgs } from "./args.js";
import { onInterrupt } from "./interrupt.js";
import type { DeployOutcome } from "./print.js";
import { serverFromConfig } from "../../remote/server-config.js";

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

/** `wxdev deploy`: incremental, atomic deploys over SSH. */
export function deployCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("deploy"))
    .argument("[paths...]", 'deploy only these paths (gitignore patterns) instead of "files"')
    .option("--dry-run", "print the plan and change nothing")
    .option("--delete", "remove remote files an earlier deploy put there that are gone locally")
    .option(
      "--exec <cmd>",
      "run this after the switch instead of postDeploy (in the remote directory, inside the venv)",
    )
    .option("--no-post", "do not run postDeploy")
    .option("--rollback [id]", "switch back to the release live before this one (or to release ID)")
    .option("--no-rollback", "keep a new release live even when the app does not come up on it")
    .option("--no-start", 'files only: do not restart the app ("start" in the config), check nothing unless --check')
    .option("--check", "after deploying, do a signed handshake through checkUrl (the default when it is set)")
    .option("--no-check", "no handshake through checkUrl after this deploy (no Token needed)")
    .action(async (name: string, paths: string[], flags: DeployFlags, self: Command) => {
      const out = cli.output(self);
      const { server, root, configInside } = serverFromConfig(cli, self, name);
      // The settings are resolved only for a check: a deploy without one needs no Token.
      const checking = flags.check === true || (server.checkUrl !== undefined && flags.check !== false);
      const resolved = checking ? cli.settings(self) : undefined;
      const token = resolved?.settings.token;
      const request = parseDeployArgs(paths, flags, { checkUrl: server.checkUrl, token });
      // The check's URL is validated now too: a bad one must stop the deploy, not follow it.
      if (request.action === "deploy" && request.check) {
        const { createTarget } = await import("../../../core/client/target.js");
        createTarget(request.check);
      }
      if (request.check !== undefined) {
        const { describeSource } = await import("../../options.js");
        request.check.tokenFrom = describeSource("token", resolved?.sources.token, cli.config(self).path);
      }
      const port = appPortFor(name, server.appPort);
      const { connectWithPrompts } = await import("../../remote/ssh.js");
      let connection: Connection | undefined;
      let closed = false;
      // A connection that opens after close() (Ctrl-C at a password prompt) is closed at once: none outlives the run.
      const kept = (opened: Connection): Connection => {
        if (closed) opened.close();
        return opened;
      };
      const open = async (): Promise<Connection> =>
        (connection ??= kept(
          await connectWithPrompts(server, cli, out, { acceptNewHostKey: request.acceptNewHostKey, name }),
        ));
      // A second connection only to ask what is live after a cut in the middle of a switch.
      let again: Connection | undefined;
      const reconnect = async (): Promise<RemoteShell> => {
        again = kept(await connectWithPrompts(server, cli, out, { acceptNewHostKey: request.acceptNewHostKey, name }));
        return again.shell;
      };
      const close = (): void => {
        closed = true;
        connection?.close();
        again?.close();
      };
      const exclude = configInside === undefined ? [] : [configInside];
      const configFile = cli.config(self).path;
      if (configFile !== undefined && dirname(configFile) !== root)
        out.note(`the project is ${root}, the folder wxdev runs in (--config names a file outside it)`);
      const context: DeployContext = { cli, out, name, server, root, exclude, open, reconnect, close, port, token };
      const outcome = await (request.action === "rollback"
        ? runRollback(context, request)
        : runDeploy(context, request)
      ).finally(close);
      const { deployExitCode, printDeploy } = await import("./print.js");
      printDeploy(out, outcome);
      cli.exitCode = deployExitCode(outcome);
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

/** What a deploy or rollback works with: the CLI run, the server and a connection opened on first use. */
interface DeployContext {
  cli: Cli;
  out: Output;
  name: string;
  server: ServerConfig;
  root: string;
  /** Never uploaded: the config file in use, when it is in the project. */
  exclude: string[];
  open: () => Promise<Connection>;
  /** Opens a new connection after the first was cut (to ask what is live). */
  reconnect: () => Promise<RemoteShell>;
  /** Closes the connections that were opened. */
  close: () => void;
  /** The app's port (appPort, or the s80xx name's digits) and the Token for the check through checkUrl. */
  port?: number;
  token?: string;
}

async function runRollback(
  context: DeployContext,
  request: Extract<DeployRequest, { action: "rollback" }>,
): Promise<DeployOutcome> {
  const { rollback } = await import("../../../core/deploy/deploy.js");
  const moved = await rollback((await context.open()).shell, context.server, {
    ...(request.to === undefined ? {} : { to: request.to }),
    post: request.post,
    onEvent: streamOutput(context.cli, context.out),
    holder: holder(),
    reconnect: context.reconnect,
    app: { port: context.port, start: request.start, ...(request.check === undefined ? {} : { check: request.check }) },
  });
  return { action: "rollback", server: context.name, ...moved };
}

async function runDeploy(
  context: DeployContext,
  request: Extract<DeployRequest, { action: "deploy" }>,
): Promise<DeployOutcome> {
  const { deploy } = await import("../../../core/deploy/deploy.js");
  const { cli, out } = context;
  // The bar needs the plan's size, which only the deploy knows: load it up front, start it on "plan".
  const progress =
    cli.io.stderr.isTTY && !out.json && !request.dryRun ? await import("../../terminal/progress.js") : undefined;
  let bar: Awaited<ReturnType<NonNullable<typeof progress>["startProgress"]>> | undefined;
  let starting: Promise<void> | undefined;
  const showOutput = streamOutput(cli, out);
  const interrupt = onInterrupt(context.close);
  const onEvent = (event: DeployEvent): void => {
    interrupt.onEvent(event);
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
  let result: Awaited<ReturnType<typeof deploy>>;
  try {
    result = await interrupt.guard(
      deploy({
        shell: async () => (await context.open()).shell,
        reconnect: context.reconnect,
        server: context.server,
        root: context.root,
        exclude: context.exclude,
        paths: request.paths,
        delete: request.delete,
        dryRun: request.dryRun,
        post: request.post,
        onEvent,
        holder: holder(),
        app: {
          port: context.port,
          start: request.start,
          rollback: request.rollback,
          ...(request.check === undefined ? {} : { check: request.check }),
        },
      }),
    );
  } finally {
    interrupt.dispose();
    // However the deploy ends: a bar left running would hold the process (and the hidden cursor).
    await starting;
    bar?.stop();
  }
  if (request.dryRun) return { action: "dry-run", server: context.name, result };
  return { action: "deploy", server: context.name, result };
}

/** Streams the post-deploy command's output live (not under --json, whose stdout is one document). */
function streamOutput(cli: Cli, out: Output): (event: DeployEvent) => void {
  return (event) => {
    if (event.type === "warning") out.warn(event.message);
    if (event.type === "output" && !out.json)
      (event.stream === "stdout" ? cli.io.stdout : cli.io.stderr).write(event.chunk);
  };
}
