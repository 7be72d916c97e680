import { Command } from "commander";
import type { ExchangeResult } from "../../core/client/exchange.js";
import type { HandshakeResult } from "../../core/client/handshake.js";
import type { Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

/** One step of the demo: the handshake, or a message in a mode. */
type DemoStep =
  | { title: string; handshake: HandshakeResult }
  | { title: string; mode: "plain" | "safe"; exchange: ExchangeResult };

/** What the demo saw: the throwaway server's URL, each step, and whether every answer was one WeChat accepts. */
interface DemoOutcome {
  ok: boolean;
  url: string;
  steps: DemoStep[];
}

async function runDemo(): Promise<DemoOutcome> {
  const { randomBytes } = await import("node:crypto");
  const { createWechatServer } = await import("../../core/server/http.js");
  const { cryptoForMode } = await import("../../core/config/mode-crypto.js");
  const { send } = await import("../../core/client/exchange.js");
  const { handshake } = await import("../../core/client/handshake.js");
  const { createTarget } = await import("../../core/client/target.js");
  const { buildEvent, buildMessage } = await import("../../core/wire/messages.js");

  // Throwaway credentials: nothing is read from the environment or config, nothing is kept.
  const token = `demo${randomBytes(6).toString("hex")}`;
  const aesKey = randomBytes(32).toString("base64").slice(0, 43);
  const appId = `wx${randomBytes(8).toString("hex")}`;
  const server = await createWechatServer({ port: 0, mode: "compat", token, aesKey, appId }).listen();
  const crypto = cryptoForMode("compat", { token, aesKey, appId });
  const target = (mode: "plain" | "safe") => createTarget({ url: server.url, token, mode, crypto });
  const header = { toUserName: "gh_wxdevdemo001", fromUserName: "oWxdevDemoUser00000000000001" };
  const scripted = [
    {
      title: "2. a user sends text",
      mode: "plain",
      message: buildMessage("text", { Content: "你好, wxdev! 😀" }, header),
    },
    { title: "3. a user sends a picture", mode: "plain", message: buildMessage("image", {}, header) },
    { title: "4. a user follows the account", mode: "plain", message: buildEvent("subscribe", {}, header) },
    {
      title: "5. safe mode: the same text, encrypted both ways",
      mode: "safe",
      message: buildMessage("text", { Content: "加密 round trip" }, header),
    },
  ] as const;
  try {
    const steps: DemoStep[] = [
      { title: "1. the platform validates the URL (GET with echostr)", handshake: await handshake(target("plain")) },
    ];
    for (const step of scripted)
      steps.push({ title: step.title, mode: step.mode, exchange: await send(target(step.mode), step.message) });
    const ok = steps.every((step) => ("handshake" in step ? step.handshake.ok : step.exchange.ok));
    return { ok, url: server.url, steps };
  } finally {
    await server.close();
  }
}

async function printDemo(out: Output, { ok, url, steps }: DemoOutcome): Promise<void> {
  const { exchangeJson, handshakeJson, renderExchange, renderHandshake } = await import("../messages/render.js");
  if (out.json) {
    const json = steps.map((step) =>
      "handshake" in step
        ? { step: "handshake", ...handshakeJson(step.handshake) }
        : { step: step.title.replace(/^\d\. /, ""), mode: step.mode, ...exchangeJson(step.exchange) },
    );
    return out.printJson({ ok, url, steps: json });
  }
  out.line(
    `${out.c.bold("wxdev demo")}: reference server on ${url} (compatible mode, throwaway Token and EncodingAESKey)\n`,
  );
  for (const step of steps) {
    out.line(out.c.dim(step.title));
    if ("handshake" in step) renderHandshake(out, step.handshake);
    else renderExchange(out, step.exchange, step.mode);
    out.line("");
  }
  out.line(
    ok
      ? `${out.ok("demo complete")}: every answer is one WeChat accepts.` +
          " Next: wxdev serve, then wxdev check --url <your server>."
      : out.bad("demo failed"),
  );
}

/** `wxdev demo`: the whole loop on loopback, on a fresh machine, with nothing configured. */
export function demoCommand(cli: Cli): Command {
  const command = new Command("demo").action(async (_options: unknown, self: Command) => {
    const outcome = await runDemo();
    await printDemo(cli.output(self), outcome);
    cli.exitCode = exitCodeFor(outcome.ok);
  });
  return withExamples(command, ["npx wxdev demo", "wxdev demo --json"]);
}
