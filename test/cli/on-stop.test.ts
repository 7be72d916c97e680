import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { onStop, type Stop } from "../../src/cli/on-stop.js";

const CLI = fileURLToPath(new URL("../../src/cli", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The CLI files (relative to src/cli) with a line matching `pattern`. */
function using(pattern: RegExp): string[] {
  return sources(CLI)
    .filter((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .some((line) => pattern.test(line)),
    )
    .map((file) => relative(CLI, file))
    .sort();
}

describe("one way to stop, one way out", () => {
  it("only on-stop.ts listens for the process's signals", () => {
    expect(using(/process\.(on|once|off|addListener|removeListener)\(/)).toEqual(["on-stop.ts"]);
  });

  it("only index.ts ends the process or sets its exit code", () => {
    expect(using(/process\.(exit\b|exitCode\b)/)).toEqual(["index.ts"]);
  });
});

describe("onStop", () => {
  let stops: Stop[] = [];
  const started = (options?: Parameters<typeof onStop>[0]): Stop => {
    const stop = onStop(options);
    stops.push(stop);
    return stop;
  };
  afterEach(() => {
    for (const stop of stops) stop.dispose();
    stops = [];
  });

  it("Ctrl-C aborts its signal, settles `stopped` and runs what waits; later waiters run at once", async () => {
    const stop = started();
    const ran: string[] = [];
    stop.whenStopped(() => ran.push("before"));
    process.emit("SIGINT", "SIGINT");
    expect(stop.signal.aborted).toBe(true);
    await stop.stopped;
    stop.whenStopped(() => ran.push("after"));
    expect(ran).toEqual(["before", "after"]);
  });

  it("by default the first signal hands the next back to Node (a second Ctrl-C kills as usual)", () => {
    const before = process.listenerCount("SIGINT");
    started();
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    process.emit("SIGINT", "SIGINT");
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it('again: "ignore" keeps listening until dispose, so a stop under way is not cut short', () => {
    const before = process.listenerCount("SIGINT");
    const stop = started({ again: "ignore" });
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGINT", "SIGINT");
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    stop.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("SIGTERM stops a server; a run cut short by Ctrl-C leaves SIGTERM to Node", () => {
    const before = process.listenerCount("SIGTERM");
    const server = started();
    const run = started({ terminate: false });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    process.emit("SIGTERM", "SIGTERM");
    expect(server.signal.aborted).toBe(true);
    expect(run.signal.aborted).toBe(false);
  });
});
