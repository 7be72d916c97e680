import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
let busy: Server;
let port = 0;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  port = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => busy.close(resolve)));

/** True when 127.0.0.1:port can be bound now (nothing holds it). */
const bindable = (at: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(at, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

describe("--inspect on a busy port", () => {
  it.each([["serve"], ["mock"]])("%s: one line naming the flag, exit 2, its own server closed", async (command) => {
    const own = await freePort();
    const args = [command, "--port", String(own), "--inspect", String(port)];
    const result = await runMain(args, { env: { WXDEV_TOKEN: "busytoken" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `wxdev: --inspect: port ${port} is already in use — give another, e.g. --inspect 0 for any free port\n`,
    );
    expect(await bindable(own)).toBe(true);
  });

  it("wxdev inspect names its own flag", async () => {
    const file = join(temp("wxdev-inspect-flags-"), "one.ndjson");
    writeFileSync(file, '{"method":"GET","path":"/wechat8013","body":"","status":200,"reply":""}\n');
    const result = await runMain(["inspect", file, "--port", String(port)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`wxdev: --port: port ${port} is already in use — give another, e.g. --port 0`);
  });

  it("a port that is not one is refused before anything starts", async () => {
    const result = await runMain(["serve", "--inspect", "http"], { env: { WXDEV_TOKEN: "busytoken" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--inspect [port]' argument 'http' is invalid");
  });
});
