import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatRecord, parseRecords } from "../../src/core/wire/exchange-record.js";
import { createWechatServer, type RunningServer } from "../../src/core/server/http.js";
import { NGINX } from "../helpers/classroom.js";
import { runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { sshdMissing } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import {
  bind,
  CLASSMATE,
  ensureClassmate,
  exited,
  lurk,
  portFree,
  startTunnelRig,
  type TunnelRig,
  until,
} from "../helpers/tunnel-rig.js";

const temp = tempDirs();

if (NGINX === undefined && process.env.CI) throw new Error("nginx is missing in CI: .ci/run should have installed it");

const missing = sshdMissing() ?? (NGINX === undefined ? "no nginx" : undefined);
if (missing) console.warn(`skipping the tunnel tests: ${missing}`);

describe.skipIf(missing !== undefined)("wxdev tunnel (real sshd remote forward, real nginx in front)", () => {
  let rig: TunnelRig;
  let dir: string;
  let config: string;
  let port: number;
  let localPort: number;
  const env = (): Record<string, string> => rig.env();
  const wx = (args: string[]) => rig.wx(args);
  const publicUrl = (): string => rig.publicUrl();
  const tunnel = (args: string[] = []) => rig.tunnel(args);
  const marker = (): number => rig.marker();

  beforeAll(async () => {
    rig = await startTunnelRig(temp);
    ({ dir, config, port, localPort } = rig);
  }, 90_000);

  afterEach(() => rig.stopAll());

  afterAll(() => rig?.close());

  it("--serve --check --record: handshake, simulate and check pass through nginx; each request is logged and recorded", async () => {
    const record = join(dir, "exchanges.ndjson");
    const command = await tunnel(["--serve", "--check", "--record", record]);
    await until("the check", () => /handshake through|--check failed/.test(command.output()));
    expect(command.output()).toContain(`✓ tunnel up: ${publicUrl()} → s8013 127.0.0.1:${port}`);
    expect(command.output()).toContain(`recording each exchange to ${record} (replay it: wxdev simulate --replay`);
    expect(command.output()).toContain(`✓ handshake through ${publicUrl()} (nginx → server → tunnel → this machine`);
    const shake = await wx(["handshake", "--url", publicUrl()]);
    expect(shake.code, shake.stdout + shake.stderr).toBe(0);
    const sent = await wx(["simulate", "text", "hello tunnel", "--url", publicUrl()]);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toContain("hello tunnel");
    const checked = await wx(["check", "--url", publicUrl()]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    await until("the log lines", () => / 200 text "hello tunnel" /.test(command.output()));
    expect(command.output()).toMatch(/^\d\d:\d\d:\d\d 200 handshake [\d.]+ ms$/m);
    expect(command.output()).toMatch(/^\d\d:\d\d:\d\d 200 event:subscribe /m);
    command.child.kill("SIGINT");
    expect(await exited(command.child)).toBe(0);
    expect(statSync(record).mode & 0o777).toBe(0o600);
    const records = parseRecords(readFileSync(record, "utf8"));
    const text = records.find((entry) => entry.body.includes("hello tunnel"));
    expect(text).toMatchObject({ method: "POST", status: 200 });
    expect(text?.path).toMatch(new RegExp(`^/wechat${port}\\?signature=\\w+&timestamp=\\d+&nonce=`));
    expect(text?.reply).toContain("<Content><![CDATA[hello tunnel]]></Content>");
    expect(records.filter((entry) => entry.method === "GET").length).toBeGreaterThanOrEqual(2);

    // The recording replays: the accepted handshakes and the text, re-signed, against a local server with the same Token.
    const replayFile = join(dir, "replay.ndjson");
    const chosen = records.filter((entry) => (entry.method === "GET" && entry.status === 200) || entry === text);
    writeFileSync(replayFile, chosen.map(formatRecord).join(""));
    const app = await createWechatServer({ port: localPort, path: `/wechat${port}`, token: "tuntoken" }).listen();
    try {
      const url = `http://127.0.0.1:${localPort}/wechat${port}`;
      const replayed = await wx(["simulate", "--replay", replayFile, "--url", url, "--json"]);
      expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
      expect(JSON.parse(replayed.stdout)).toMatchObject({ ok: true, same: chosen.length, differs: 0 });
    } finally {
      await app.close();
    }
  });

  it("a whole check run (compat, then plain) recorded through the tunnel replays against the same app", async () => {
    const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const keyed = { ...env(), WXDEV_AES_KEY: key, WXDEV_APP_ID: "wx0a1b2c3d4e5f6a7b" };
    const record = join(dir, "checks.ndjson");
    await rig.tunnel(["--serve", "--mode", "compat", "--record", record], keyed);
    const run = (args: string[]) => runMain(args, { cwd: dir, env: keyed, timeoutMs: 60_000 });
    for (const mode of ["compat", "plain"]) {
      const checked = await run(["check", "--url", publicUrl(), "--mode", mode]);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    }
    // The last request of each run is the text after the malformed body; both recorded means all are.
    const done = () => parseRecords(readFileSync(record, "utf8")).filter((r) => r.body.includes("still there?"));
    await until("the recording", () => done().length === 2);
    const records = parseRecords(readFileSync(record, "utf8"));
    expect(records.filter((entry) => entry.status !== 200).length).toBeGreaterThanOrEqual(7);
    const local = `http://127.0.0.1:${localPort}/wechat${port}`;
    const replayed = await run(["simulate", "--replay", record, "--url", local, "--mode", "compat", "--json"]);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    const out = JSON.parse(replayed.stdout);
    expect(out.messages.filter((m: { verdict: string }) => m.verdict !== "same")).toEqual([]);
    expect(out).toMatchObject({ ok: true, same: records.length, differs: 0, failed: 0, skipped: 0 });
  });

  it("safe mode: --serve --mode safe behind the tunnel; the log opens each body with the account's key", async () => {
    const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const safe = { WXDEV_AES_KEY: key, WXDEV_APP_ID: "wx0123456789abcdef" };
    const command = await rig.tunnel(["--serve", "--mode", "safe"], safe);
    const sent = await runMain(["simulate", "text", "secret hi", "--mode", "safe", "--url", publicUrl()], {
      cwd: dir,
      env: { ...env(), ...safe },
    });
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    await until("the log line", () => / 200 text 🔒 /.test(command.output()));
    expect(command.output()).not.toContain("secret hi");
  });

  it("--record to a full disk (/dev/full): one warning, the recording stops, the tunnel serves on", async () => {
    const command = await tunnel(["--serve", "--record", "/dev/full"]);
    for (const _ of [1, 2]) {
      const shake = await wx(["handshake", "--url", publicUrl()]);
      expect(shake.code, shake.stdout + shake.stderr).toBe(0);
    }
    await until("the second request's line", () => command.output().match(/ 200 handshake /g)?.length === 2);
    expect(command.output().match(/--record stopped: cannot write \/dev\/full: .*ENOSPC/g)).toHaveLength(1);
    expect(command.child.exitCode).toBe(null);
  });

  it("Ctrl-C releases the server's port at once: it can be bound right after, and a new tunnel starts", async () => {
    const command = await tunnel(["--serve"]);
    command.child.kill("SIGINT");
    expect(await exited(command.child)).toBe(0);
    expect(command.output()).toContain(`port ${port} on the server is free again`);
    const listener = await bind(port);
    await new Promise((resolve) => listener.close(resolve));
    const again = await tunnel(["--serve", "--json"]);
    again.child.kill("SIGTERM");
    expect(await exited(again.child)).toBe(0);
    const events = again
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ event: "up", remotePort: port, localPort });
    expect(events.at(-1)).toEqual({ event: "closed", remotePort: port });
  });

  it("nothing listens locally: 502 and a log line saying so; the tunnel lives on and serves once the app is up", async () => {
    const recording = join(temp("wxdev-tunnel-down-"), "down.ndjson");
    const command = await tunnel(["--record", recording]);
    const through = await fetch(`${publicUrl()}?echostr=1&signature=x&timestamp=1&nonce=1`);
    expect(through.status).toBe(502);
    expect(await through.text()).toBe("bad gateway");
    await until("the 502 line", () => / 502 handshake /.test(command.output()));
    expect(command.output()).toContain(`nothing listens on 127.0.0.1:${localPort}`);
    let app: RunningServer | undefined;
    try {
      app = await createWechatServer({ port: localPort, path: `/wechat${port}`, token: "tuntoken" }).listen();
      const shake = await wx(["handshake", "--url", publicUrl()]);
      expect(shake.code, shake.stdout + shake.stderr).toBe(0);
      // The recording says which answer was the tunnel's own; replayed, that one is skipped, not a "change".
      // The record is written after the answer went out: wait for it.
      await until("the second record", () => parseRecords(readFileSync(recording, "utf8")).length >= 2);
      const [down, up] = parseRecords(readFileSync(recording, "utf8"));
      expect(down).toMatchObject({ status: 502, error: expect.stringContaining("nothing listens") });
      expect(up?.status).toBe(200);
      expect(up?.error).toBeUndefined();
      const replayed = await wx(["simulate", "--replay", recording, "--url", publicUrl()]);
      expect(replayed.stdout).toMatch(/^#1 {2}request {2}skipped: the tunnel answered 502 itself/m);
      expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
    } finally {
      await app?.close();
    }
    expect(command.child.exitCode).toBe(null);
  });

  it("--check says where the path breaks: the tunnel answered 502 because nothing listens here (exit 1)", async () => {
    const checked = await wx(["tunnel", "s8013", "--local-port", String(localPort), "--check"]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(
      `--check failed: the handshake reached the tunnel, but nothing listens on 127.0.0.1:${localPort}`,
    );
    // The failed check closed the tunnel: the port is free.
    const listener = await bind(port);
    await new Promise((resolve) => listener.close(resolve));
  });

  it("the sshd session of the tunnel is killed: it says so, reconnects, and the next handshake passes", async () => {
    const command = await tunnel(["--serve"]);
    const session = marker();
    process.kill(session, "SIGKILL");
    await until("the reconnect", () => /reconnected: port \d+ forwarded again/.test(command.output()));
    expect(command.output()).toContain("connection to s8013 lost; reconnecting");
    // At once, before anything else on the server can bind the freed port.
    expect(command.output()).toContain("reconnecting now, attempt 1");
    expect(marker()).not.toBe(session);
    const shake = await wx(["handshake", "--url", publicUrl()]);
    expect(shake.code, shake.stdout + shake.stderr).toBe(0);
  });

  it("a frozen session is noticed by keepalives; its port is taken back from it at once, and the tunnel serves on", async () => {
    const command = await tunnel(["--serve", "--keepalive", "1", "--retry-for", "20"]);
    const session = marker();
    // SIGSTOP: the TCP connection stays open but nothing answers; only keepalives can tell. The stopped session
    // holds the port as a server's dead session does until its own timeouts end it, hours later by default.
    process.kill(session, "SIGSTOP");
    try {
      await until("the reconnect", () => /reconnected: port \d+ forwarded again/.test(command.output()), 25_000);
    } finally {
      process.kill(session, "SIGKILL");
    }
    expect(command.output()).toContain(`(the dropped session still held it: ended it, sshd pid ${session})`);
    expect(marker()).not.toBe(session);
    const shake = await wx(["handshake", "--url", publicUrl()]);
    expect(shake.code, shake.stdout + shake.stderr).toBe(0);
  }, 40_000);

  it("after a drop, a process of the same account holds the port: retries with backoff, then gives up (exit 1)", async () => {
    const command = await tunnel(["--retry-for", "3"]);
    const lurker = lurk(rig.sshd.user, port);
    try {
      await lurker.waiting;
      process.kill(marker(), "SIGKILL");
      await lurker.bound;
      expect(await exited(command.child)).toBe(1);
    } finally {
      lurker.stop();
    }
    const output = command.output();
    expect(output).toContain("reconnecting now, attempt 1");
    expect(output).toMatch(
      /reconnecting in 0\.5 s, attempt 2 \(last try: port \d+ on s8013 is taken by a process wxdev/,
    );
    expect(output).toMatch(/the tunnel to s8013 stayed down; gave up reconnecting/);
  }, 30_000);

  it("after a drop, another account's program takes the port: the tunnel names it at once and stops (exit 1)", async () => {
    ensureClassmate();
    const command = await tunnel(["--serve"]);
    const lurker = lurk(CLASSMATE, port);
    try {
      await lurker.waiting;
      process.kill(marker(), "SIGKILL");
      expect(await exited(command.child)).toBe(1);
    } finally {
      lurker.stop();
    }
    const output = command.output();
    expect(output).toMatch(
      new RegExp(`port ${port} on s8013 is held by a process of another account \\(${CLASSMATE}, uid \\d+\\)`),
    );
    expect(output).toContain("tell the server's admin at once");
    expect(output).not.toMatch(/reconnecting in/);
  }, 30_000);

  it("the tunnel's marker cannot be written on the server: one line saying so, exit 1, the port released", async () => {
    const result = await wx(["tunnel", "nostate", "--local-port", String(localPort)]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("writing the tunnel's marker failed on the server");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await until("the port to be free again", () => portFree(port));
  }, 30_000);

  it("--takeover without a start command: one line naming it, exit 2, and the binary ends at once", async () => {
    const args = ["--config", config, "tunnel", "nostart", "--takeover", "--local-port", String(localPort)];
    const result = await runCli(args, { env: env(), timeoutMs: 15_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining("--takeover needs the managed app")]);
  }, 30_000);

  it("the port is busy on the server: another process, another account's, or a second tunnel, each refused with its fix (exit 1)", async () => {
    const mine = lurk(rig.sshd.user, port);
    try {
      await mine.bound;
      const busy = await wx(["tunnel", "s8013", "--local-port", String(localPort)]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`port ${port} on s8013 is taken by a process wxdev did not start`);
      expect(busy.stderr).toContain("and stop it with wxdev exec s8013 -- kill PID, then run the tunnel again");
    } finally {
      mine.stop();
    }
    await until("the port to be free", () => portFree(port));
    const listener = await bind(port); // this test runs as root: another account than the server's user
    try {
      const taken = await wx(["tunnel", "s8013", "--local-port", String(localPort)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`port ${port} on s8013 is held by a process of another account (root, uid 0)`);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    await tunnel();
    const second = await wx(["tunnel", "s8013", "--local-port", String(localPort)]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on s8013 is already forwarded by another wxdev tunnel`);
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("the managed app holds the port: the error names wxdev stop and --takeover; --takeover stops it and starts it again", async () => {
    const started = await wx(["start", "s8013"]);
    expect(started.code, started.stderr).toBe(0);
    const refused = await wx(["tunnel", "s8013", "--local-port", String(localPort)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`port ${port} on s8013 is taken by the app wxdev started there`));
    expect(refused.stderr).toContain("wxdev stop s8013");
    expect(refused.stderr).toContain("--takeover");
    const command = await tunnel(["--serve", "--takeover"]);
    expect(command.output()).toMatch(/--takeover: stopped the app on s8013 \(pid \d+\)/);
    const shake = await wx(["handshake", "--url", publicUrl()]);
    expect(shake.code, shake.stdout + shake.stderr).toBe(0);
    command.child.kill("SIGINT");
    expect(await exited(command.child)).toBe(0);
    expect(command.output()).toMatch(/--takeover: started the app on s8013 again \(pid \d+\)/);
    expect(await (await fetch(publicUrl())).text()).toBe("deployed app");
  });

  it("the built binary: tunnel --help lists the flags; an unknown server is exit 2 in one line", async () => {
    const help = await runCli(["tunnel", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--local-port", "--remote-port", "--serve", "--check", "--takeover", "--record"])
      expect(help.stdout).toContain(flag);
    const unknown = await runCli(["--config", config, "tunnel", "nosuch"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr.trim().split("\n")).toEqual([expect.stringContaining('unknown server "nosuch"')]);
  });
});
