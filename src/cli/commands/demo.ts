import { Command } from "commander";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";

/** `wxdev demo`: the whole loop on loopback, on a fresh machine, with nothing configured. */
export function demoCommand(cli: Cli): Command {
  const command = new Command("demo").action(async (_options: unknown, self: Command) => {
    const out = cli.output(self);
    const { randomBytes } = await import("node:crypto");
    const { createWechatServer } = await import("../../core/server/http.js");
    const { cryptoForMode } = await import("../../core/mode-crypto.js");
    const { send } = await import("../../core/client/exchange.js");
    const { handshake } = await import("../../core/client/handshake.js");
    const { createTarget } = await import("../../core/client/target.js");
    const { buildEvent, buildMessage } = await import("../../core/messages.js");
    const { exchangeJson, handshakeJson, renderExchange, renderHandshake } = await import("../render.js");

    // Throwaway credentials: nothing is read from the environment or config, nothing is kept.
    const token = `demo${randomBytes(6).toString("hex")}`;
    const aesKey = randomBytes(32).toString("base64").slice(0, 43);
    const appId = `wx${randomBytes(8).toString("hex")}`;
    const server = await createWechatServer({ port: 0, mode: "compat", token, aesKey, appId }).listen();
    const crypto = cryptoForMode("compat", { token, aesKey, appId });
    const target = (mode: "plain" | "safe") => createTarget({ url: server.url, token, mode, crypto });
    const header = { toUserName: "gh_wxdevdemo001", fromUserName: "oWxdevDemoUser00000000000001" };
    const steps: Record<string, unknown>[] = [];
    let ok = true;
    try {
      if (!out.json)
        out.line(
          `${out.c.bold("wxdev demo")}: reference server on ${server.url}` +
            " (compatible mode, throwaway Token and EncodingAESKey)\n",
        );
      const shake = await handshake(target("plain"));
      ok &&= shake.ok;
      steps.push({ step: "handshake", ...handshakeJson(shake) });
      if (!out.json) {
        out.line(out.c.dim("1. the platform validates the URL (GET with echostr)"));
        renderHandshake(out, shake);
        out.line("");
      }
      const scripted = [
        {
          title: "2. a user sends text",
          mode: "plain" as const,
          message: buildMessage("text", { Content: "你好, wxdev! 😀" }, header),
        },
        { title: "3. a user sends a picture", mode: "plain" as const, message: buildMessage("image", {}, header) },
        {
          title: "4. a user follows the account",
          mode: "plain" as const,
          message: buildEvent("subscribe", {}, header),
        },
        {
          title: "5. safe mode: the same text, encrypted both ways",
          mode: "safe" as const,
          message: buildMessage("text", { Content: "加密 round trip" }, header),
        },
      ];
      for (const step of scripted) {
        const result = await send(target(step.mode), step.message);
        ok &&= result.ok;
        steps.push({ step: step.title.replace(/^\d\. /, ""), mode: step.mode, ...exchangeJson(result) });
        if (!out.json) {
          out.line(out.c.dim(step.title));
          renderExchange(out, result, step.mode);
          out.line("");
        }
      }
    } finally {
      await server.close();
    }
    cli.exitCode = ok ? 0 : 1;
    if (out.json) return out.printJson({ ok, url: server.url, steps });
    out.line(
      ok
        ? `${out.ok("demo complete")}: every answer is one WeChat accepts.` +
            " Next: wxdev serve, then wxdev check --url <your server>."
        : out.bad("demo failed"),
    );
  });
  return withExamples(command, ["npx wxdev demo", "wxdev demo --json"]);
}
