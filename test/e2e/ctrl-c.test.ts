import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT_CODES_HELP } from "../../src/cli/exit-code.js";
import { BIN, cleanEnv } from "../helpers/cli.js";
import { startServe } from "../helpers/wechat-servers.js";

/** Runs the built `wxdev ...args` with stdin kept open, sends Ctrl-C (SIGINT) once `ready` shows, and collects. */
function interrupted(args: string[], ready: RegExp): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let sent = false;
  const take = (chunk: Buffer): void => {
    output += chunk.toString();
    if (!sent && ready.test(output)) {
      sent = true;
      child.kill("SIGINT");
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("Ctrl-C, the same way everywhere", () => {
  it("chat, whose normal end is Ctrl-C, ends 0 with its goodbye, piped input still open", async () => {
    const serve = await startServe([], { WXDEV_TOKEN: "ctrlctoken" });
    try {
      const chat = await interrupted(["chat", "--url", serve.url, "--token", "ctrlctoken"], /chatting with/);
      expect(chat.code).toBe(0);
      expect(chat.output).toContain("bye");
    } finally {
      await serve.close();
    }
  });

  it("--help and the README say the same: 130 for a command cut short, 0 for what runs until Ctrl-C", () => {
    expect(EXIT_CODES_HELP).toContain("130 stopped by Ctrl-C before its end");
    expect(EXIT_CODES_HELP).toContain("what runs until Ctrl-C (serve, mock, tunnel, chat, logs -f) ends 0 then");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    expect(readme).toContain(
      "**130** stopped by Ctrl-C before its end (a deploy, a check, a load run); what runs until Ctrl-C (`serve`," +
        " `mock`, `tunnel`, `chat`, `logs -f`) ends **0** then",
    );
  });
});
