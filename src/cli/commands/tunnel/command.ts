import { Command, Option } from "commander";
import { appPortFor } from "../../../core/config/class-account.js";
import type { ServerConfig } from "../../../core/config/file.js";
import type { Settings } from "../../../core/config/settings.js";
import { InputError } from "../../../core/support/errors.js";
import type { Mode } from "../../../core/wire/modes.js";
import type { AppTarget } from "../../../core/remote/app/app.js";
import type { TakenOver } from "../../../core/remote/app/takeover.js";
import type { Connection } from "../../../core/remote/ssh/connection.js";
import type { Tunnel, TunnelEvent, TunnelExchange } from "../../../core/remote/tunnel/tunnel.js";
import { type ConnectFlags, withConnectFlags } from "../../remote/app-target.js";
import { type Cli, required } from "../../context.js";
import { ExitCode } from "../../exit-code.js";
import { withExamples } from "../../help.js";
import { parsePositiveInt, portParser, settingOption } from "../../options.js";
import { onStop } from "../../on-stop.js";
import type { Output } from "../../output.js";
import { serverFromConfig } from "../../remote/server-config.js";
import { logDecrypter, startLocalServer } from "./local-end.js";
import { openRecording, type Recording } from "./record.js";
import { printCheck, printTunnelEvent, printUp } from "./print.js";
import { type InspectFlag, inspectOption, type OpenInspector } from "../../exchanges/inspector.js";
import { callbackPath } from "../../../core/config/class-account.js";

interface TunnelFlags extends ConnectFlags {
  localPort?: number;
  remotePort?: number;
  serve?: boolean;
  check?: boolean;
  takeover?: boolean;
  record?: string;
  keepalive?: number;
  retryFor: number;
  token?: string;
  mode?: Mode;
  inspect?: InspectFlag;
}

/** The ports and URL a tunnel uses, from the flags and the server's entry; a missing port is bad input. */
function route(name: string, server: ServerConfig, flags: TunnelFlags) {
  const remotePort = flags.remotePort ?? appPortFor(name, server.appPort);
  if (remotePort === undefined)
    throw new InputError(`no port for ${name}: its config has no "appPort" and its name no digits`, {
      hint: `add "appPort": 8013 to the server in wxdev.config.json, or pass --remote-port`,
    });
  return { name, remotePort, localPort: flags.localPort ?? remotePort, publicUrl: server.checkUrl };
}

/**
 * Checks the flags that need settings before anything connects: --check wants checkUrl and a Token, --takeover the
 * managed app.
 */
function checkNeeds(name: string, server: ServerConfig, flags: TunnelFlags, settings: Settings): string | undefined {
  if (flags.serve) required(settings, "token");
  if (flags.takeover && server.start === undefined)
    throw new InputError(`--takeover needs the managed app: ${name} has no "start" command`, {
      hint: `without one, stop the app on ${name} yourself, then run wxdev tunnel ${name}`,
    });
  if (!flags.check) return undefined;
  if (server.checkUrl === undefined)
    throw new InputError(`--check needs the public URL: ${name} has no "checkUrl"`, {
      hint: `add e.g. "checkUrl": "http://<host>/wechat8013" to ${name} in wxdev.config.json`,
    });
  return required(settings, "token");
}

/** `wxdev tunnel`: the server's app port forwarded to this machine, so real WeChat reaches the local app. */
export function tunnelCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("tunnel"))
    .addOption(
      new Option("--local-port <port>", "where the app listens here (default: the same as the server's)").argParser(
        portParser(1),
      ),
    )
    .addOption(
      new Option("--remote-port <port>", 'the port on the server (default: "appPort")').argParser(portParser(1)),
    )
    .option("--serve", "run wxdev's reference server here behind the tunnel (Token from config/env)")
    .option("--check", "once up, do a signed handshake through checkUrl and say where the path breaks (exit 1)")
    .option("--takeover", "stop the managed app for the life of the tunnel and start it again after")
    .option("--record <file>", "append each exchange (query, body, reply, status, latency) to FILE as NDJSON")
    .addOption(inspectOption())
    .addOption(
      new Option(
        "--keepalive <seconds>",
        'SSH keepalive interval (3 unanswered drop the link; default the server\'s "keepalive", else 15)',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      new Option("--retry-for <seconds>", "after a drop, keep reconnecting this long")
        .argParser(parsePositiveInt)
        .default(300),
    )
    .addOption(settingOption("token"))
    .addOption(
      settingOption("mode", "--serve's message mode (default: config, else plain); key and appId as for serve"),
    )
    .addHelpText(
      "after",
      "\nWith --json, prints one JSON object per event (up, request, lost, retry, reconnected, check, closed).",
    )
    .action(async (name: string, flags: TunnelFlags, self: Command) => {
      const out = cli.output(self);
      const { server } = serverFromConfig(cli, self, name);
      const where = route(name, server, flags);
      const { settings } = cli.settings(self, { token: flags.token, mode: flags.mode });
      const token = checkNeeds(name, server, flags, settings);
      const recording =
        flags.record === undefined ? undefined : openRecording(flags.record, (message) => out.warn(message));
      const served = flags.serve ? await startLocalServer(settings, where) : undefined;
      let inspector: OpenInspector | undefined;
      try {
        if (flags.inspect !== undefined) inspector = await inspectTunnel(out, flags.inspect, name, where, settings);
        const decrypt = await logDecrypter(settings);
        const run = { name, server, flags, where, token, recording, decrypt, served: served?.url, inspector };
        await runTunnel(cli, out, run);
      } finally {
        await inspector?.close();
        await served?.close();
        recording?.close();
      }
    });
  return withExamples(command, [
    "wxdev tunnel s8013                 # then run your app on 127.0.0.1:8013 here",
    "wxdev tunnel s8013 --serve --check # wxdev's reference server behind it, the whole path proven",
    "wxdev tunnel s8013 --takeover --record today.ndjson",
    "wxdev tunnel s8013 --inspect       # each exchange on http://127.0.0.1:4040/",
  ]);
}

interface TunnelRun {
  name: string;
  server: ServerConfig;
  flags: TunnelFlags;
  where: ReturnType<typeof route>;
  token?: string;
  recording?: Recording;
  decrypt?: (encrypted: string) => string;
  served?: string;
  inspector?: OpenInspector;
}

/** --inspect: the page of the tunnel's exchanges; Replay sends through the public URL (else to the local app). */
async function inspectTunnel(
  out: Output,
  flag: InspectFlag,
  name: string,
  where: ReturnType<typeof route>,
  settings: Settings,
): Promise<OpenInspector> {
  const { openInspector, replayTarget } = await import("../../exchanges/inspector.js");
  const url = where.publicUrl ?? `http://127.0.0.1:${where.localPort}${callbackPath(where.remotePort)}`;
  const replay = await replayTarget(settings, url);
  return openInspector(out, { flag, title: `wxdev tunnel ${name}`, settings, ...replay });
}

/** --check: the signed handshake through checkUrl while the tunnel runs; a failure closes it with exit 1. */
async function checkPath(cli: Cli, out: Output, run: TunnelRun, tunnel: Tunnel, seen: TunnelExchange[]): Promise<void> {
  if (run.token === undefined || run.where.publicUrl === undefined) return;
  const { checkThroughTunnel } = await import("../../../core/remote/tunnel/check.js");
  const check = await checkThroughTunnel(run.where.publicUrl, run.token, {
    seen: () => seen,
    remotePort: run.where.remotePort,
  });
  printCheck(out, check);
  if (check.ok) return;
  cli.exitCode = ExitCode.CheckFailed;
  await tunnel.close();
}

/** Connects (the first connection also serves --takeover), opens the tunnel, logs it until Ctrl-C or failure. */
async function runTunnel(cli: Cli, out: Output, run: TunnelRun): Promise<void> {
  const { name, server, flags, where } = run;
  const { connectWithPrompts } = await import("../../remote/ssh.js");
  const { openTunnel } = await import("../../../core/remote/tunnel/tunnel.js");
  const connect = (): Promise<Connection> =>
    connectWithPrompts(server, cli, out, {
      acceptNewHostKey: flags.yes === true || flags.acceptNewHostKey === true,
      name,
      keepaliveIntervalMs: flags.keepalive === undefined ? undefined : flags.keepalive * 1000,
    });
  const target: AppTarget = { server, port: where.remotePort, name };
  let first: Connection | undefined = await connect();
  let taken: TakenOver | undefined;
  const log = out.batchedLines();
  // The last requests, so --check can tell whether its handshake reached the tunnel.
  const seen: TunnelExchange[] = [];
  const onEvent = (event: TunnelEvent): void => {
    if (event.type === "exchange") {
      if (seen.push(event.exchange) > 100) seen.shift();
      run.recording?.write(event.exchange);
      run.inspector?.log.add(event.exchange, "tunnel");
    }
    printTunnelEvent(out, log, event);
  };
  const given = async (): Promise<Connection> => {
    const connection = first;
    first = undefined;
    return connection ?? connect();
  };
  // Listening starts before the tunnel opens: its first `up` event is printed from inside openTunnel, and a signal
  // before a listener existed would kill the process with the server's port held.
  const stop = onStop({ again: "ignore" });
  try {
    // Inside the try: a failed --takeover still closes the first connection (else the process never ends).
    if (flags.takeover) taken = await takeOver(out, first, target);
    const tunnel = await openTunnel({
      connect: given,
      target,
      name,
      remotePort: where.remotePort,
      localPort: where.localPort,
      onEvent,
      giveUpAfterMs: flags.retryFor * 1000,
      decrypt: run.decrypt,
    });
    const served = run.served === undefined ? {} : { served: run.served };
    printUp(out, { ...where, ...served, ...(flags.record === undefined ? {} : { recording: flags.record }) });
    stop.whenStopped(() => void tunnel.close());
    await checkPath(cli, out, run, tunnel, seen).finally(log.flush);
    await tunnel.done;
    log.flush();
    if (out.json) out.line(JSON.stringify({ event: "closed", remotePort: where.remotePort }));
    else out.note(`tunnel to ${name} closed; port ${where.remotePort} on the server is free again`);
  } finally {
    stop.dispose();
    first?.close();
    log.flush();
    if (taken !== undefined) {
      const started = await taken.giveBack(connect);
      out.note(`${out.ok("✓")} --takeover: started the app on ${name} again (pid ${started.pid})`);
    }
  }
}

/** --takeover: stops the managed app (when it runs) so that the tunnel can have its port; says what it did. */
async function takeOver(out: Output, connection: Connection, target: AppTarget): Promise<TakenOver | undefined> {
  const { takeOverApp } = await import("../../../core/remote/app/takeover.js");
  const taken = await takeOverApp(connection.shell, target);
  out.note(
    taken === undefined
      ? `--takeover: no app wxdev started is running on ${target.name}; nothing to stop or restart`
      : `--takeover: stopped the app on ${target.name} (pid ${taken.stopped}); it starts again when the tunnel closes`,
  );
  return taken;
}
