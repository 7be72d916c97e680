import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/core/config/file.js";
import { remoteLayout } from "../../src/core/remote/layout.js";
import { cleanupScript, deleteScript, uploadScript, verifyScript } from "../../src/core/remote/releases/build.js";
import { listScript } from "../../src/core/remote/releases/list.js";
import { lockScript } from "../../src/core/remote/releases/lock.js";
import { runPost } from "../../src/core/remote/releases/post.js";
import { inspectScript } from "../../src/core/remote/releases/state.js";
import { rollbackScript, switchScript } from "../../src/core/remote/releases/switch.js";
import { appPaths, logScript, startScript, statusScript, stopScript } from "../../src/core/remote/app/scripts.js";
import { type Connection, connect } from "../../src/core/remote/ssh/connection.js";
import { q, run } from "../../src/core/remote/shell.js";
import { guardScript } from "../../src/core/remote/state-guard.js";
import { markTunnel, unmarkTunnel } from "../../src/core/remote/tunnel/marker.js";
import { type LocalServer, localEntry, startLocalServer } from "../helpers/local-server.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

/** This run's canary files' prefix (an earlier run's, even one of old code, must not count). */
const CANARY = `wxcanary${randomBytes(3).toString("hex")}-`;

/** Names that run `touch CANARY<n>` wherever a script lets one out of its quotes. */
const HOSTILE = [
  `old$(touch ${CANARY}1)`,
  `old\`touch ${CANARY}2\``,
  `old'$(touch ${CANARY}3)'`,
  `old";touch ${CANARY}4;"`,
  `old';touch ${CANARY}5;'`,
  `old\ntouch ${CANARY}6`,
  `old $(touch ${CANARY}7) *`,
];

describe("hostile names through every remote script (a local shell)", () => {
  let machine: LocalServer;
  let connection: Connection;
  /** Runs a script as wxdev does: the login shell's -c, or bash -c for the app's (bash) scripts. */
  const exec = (script: string, options: { bash?: boolean; stdin?: string } = {}) =>
    connection.shell.exec(options.bash ? `bash -c ${q(script)}` : script, { stdin: options.stdin ?? "" });
  const canaries = (): string =>
    machine.run(`find ~ /tmp -name '${CANARY}*' -user "$(id -un)" 2>/dev/null | sort`).trim();

  beforeAll(async () => {
    machine = await startLocalServer({ account: "n" });
    const server = localEntry(machine, "unused") as unknown as ServerConfig;
    connection = await connect(server, { home: temp("wxdev-client-home-"), acceptNewHostKey: true });
  });
  afterAll(async () => {
    connection?.close();
    await machine?.stop();
  });

  /** Every script wxdev runs on the server, with `name` wherever a script takes a name. */
  async function throughEveryScript(name: string): Promise<void> {
    const layout = remoteLayout(`~/h-${name}`);
    const paths = appPaths(`~/h-${name}`);
    const server = { ...(localEntry(machine, "unused") as unknown as ServerConfig), remoteDir: `~/h-${name}` };
    await exec(guardScript(layout, { create: true }));
    await exec(lockScript(layout, name, 1, inspectScript(layout), 1), { bash: true });
    await exec(inspectScript(layout));
    for (const release of [name, `${name}-2`]) {
      await exec(uploadScript(layout, release, undefined, false, [name]));
      await exec(deleteScript(layout, release), { stdin: `${name}\0${name}/\0` });
      await exec(verifyScript(layout, release, [name]), { stdin: `${name}\0` });
      await exec(switchScript(layout, release, undefined), { stdin: "{}" });
    }
    await exec(listScript(layout));
    await exec(rollbackScript(layout, `${name}-2`, name));
    await exec(rollbackScript(layout, name, `gone-${name}`));
    await exec(rollbackScript(layout, `gone-${name}`, name));
    await exec(cleanupScript(layout, `gone-${name}`));
    await exec(startScript(paths, { command: "sleep 1", waitMs: 100 }), { bash: true });
    await exec(statusScript(paths, 1), { bash: true });
    await exec(logScript(paths, { lines: 5 }), { bash: true });
    await exec(stopScript(paths), { bash: true });
    await markTunnel(connection.shell, { server }, 1);
    await unmarkTunnel(connection.shell, { server }, 1);
    await runPost(connection.shell, server, "true", { release: name });
    await run(connection.shell, "true", { venv: name }).catch(() => undefined);
  }

  it("no name runs anything, in any script; each lands where it should, byte for byte", async () => {
    // Side by side, each in a shell of its own (over SSH: a channel each; sshd allows ten per connection).
    await Promise.all(HOSTILE.map(throughEveryScript));
    expect(canaries()).toBe("");
    for (const name of HOSTILE) {
      const history = machine.run(`cat ~/${q(`.h-${name}.wxdev`)}/releases/history`);
      expect(history).toContain(` ${name}-2 ${name} deploy\n`);
    }
  });
});
