import type { Command } from "commander";
import type { Cli } from "./context.js";

/** A command as `wxdev --help` lists it, and how to load its definition (only when it runs). */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<(cli: Cli) => Command>;
}

/** Every command, in the order `wxdev --help` lists them. */
export const COMMANDS: CommandEntry[] = [
  {
    name: "init",
    summary: "scaffold the class's project: wechat.py (Flask), requirements.txt, .gitignore, wxdev.config.json",
    load: async () => (await import("./commands/init/command.js")).initCommand,
  },
  {
    name: "sign",
    summary: "compute signature (and msg_signature) for a test request, with a ready query string",
    load: async () => (await import("./commands/sign.js")).signCommand,
  },
  {
    name: "verify",
    summary: "check the signature (and msg_signature) of a callback request",
    load: async () => (await import("./commands/verify.js")).verifyCommand,
  },
  {
    name: "encrypt",
    summary: "encrypt a reply XML into the safe-mode envelope (Encrypt, MsgSignature, TimeStamp, Nonce)",
    load: async () => (await import("./commands/encrypt.js")).encryptCommand,
  },
  {
    name: "decrypt",
    summary: "decrypt an Encrypt field or envelope; verifies msg_signature when it is given or in the envelope",
    load: async () => (await import("./commands/decrypt.js")).decryptCommand,
  },
  {
    name: "simulate",
    summary: "send a message or event exactly as WeChat does and validate the reply",
    load: async () => (await import("./commands/simulate/command.js")).simulateCommand,
  },
  {
    name: "handshake",
    summary: "do the platform's URL validation (GET with echostr) and explain any failure",
    load: async () => (await import("./commands/handshake.js")).handshakeCommand,
  },
  {
    name: "check",
    summary:
      "run the conformance suite against a server: handshake, signatures, every message type," +
      " retries, encodings, modes",
    load: async () => (await import("./commands/check.js")).checkCommand,
  },
  {
    name: "chat",
    summary: "interactive: each line typed is sent as a text message and the reply printed like a chat",
    load: async () => (await import("./commands/chat/command.js")).chatCommand,
  },
  {
    name: "serve",
    summary: "run a correct reference WeChat server (the seed's echo bot) on node:http",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  {
    name: "demo",
    summary:
      "start the reference server on a free port and run the handshake, messages and a safe-mode round trip against it",
    load: async () => (await import("./commands/demo.js")).demoCommand,
  },
  {
    name: "oauth-url",
    summary: "build the web-authorisation (OAuth) URL; --qr draws it for the phone",
    load: async () => (await import("./commands/oauth-url.js")).oauthUrlCommand,
  },
  {
    name: "oauth",
    summary: "call the web-authorisation API: exchange, userinfo, refresh, check",
    load: async () => (await import("./commands/oauth/command.js")).oauthCommand,
  },
  {
    name: "mock",
    summary:
      "the WeChat platform offline (a 测试号): the API an app calls (token, menu, messages, templates, media," +
      " QR codes, users, web authorisation), events pushed to the app, and a clock to move",
    load: async () => (await import("./commands/mock/command.js")).mockCommand,
  },
  {
    name: "menu",
    summary: "the custom menu: validate a file offline, push, pull, diff or delete it (on the mock or the platform)",
    load: async () => (await import("./commands/menu/command.js")).menuCommand,
  },
  {
    name: "jsapi-sign",
    summary:
      "the JS-SDK signature of a page and the ready wx.config object; --fetch gets the ticket (e.g. from the mock)",
    load: async () => (await import("./commands/jsapi-sign.js")).jsapiSignCommand,
  },
  {
    name: "deploy",
    summary: "deploy the project to a server from wxdev.config.json: only changed files, switched in atomically",
    load: async () => (await import("./commands/deploy/command.js")).deployCommand,
  },
  {
    name: "releases",
    summary: "list a server's releases: when, how many files, which is live, which --rollback would pick",
    load: async () => (await import("./commands/releases.js")).releasesCommand,
  },
  {
    name: "start",
    summary: 'start the app on its server ("start" in its venv, detached) and wait until its port answers',
    load: async () => (await import("./commands/start.js")).startCommand,
  },
  {
    name: "stop",
    summary: "stop the app wxdev started on its server (by its pid file and process group)",
    load: async () => (await import("./commands/stop.js")).stopCommand,
  },
  {
    name: "restart",
    summary: "stop and start the app on its server, waiting until its port answers",
    load: async () => (await import("./commands/restart.js")).restartCommand,
  },
  {
    name: "status",
    summary: "is the app running on its server: pid, uptime, port, live release, handshake through checkUrl",
    load: async () => (await import("./commands/status.js")).statusCommand,
  },
  {
    name: "env",
    summary: "the app's environment on its server (WECHAT_TOKEN…): set it (hidden), list (masked), unset, check",
    load: async () => (await import("./commands/env.js")).envCommand,
  },
  {
    name: "logs",
    summary: "the app's log on its server: the last lines (-n), or follow it (-f)",
    load: async () => (await import("./commands/logs.js")).logsCommand,
  },
  {
    name: "exec",
    summary: "run a command line in the server's remote directory inside its venv; its exit code passed through",
    load: async () => (await import("./commands/exec.js")).execCommand,
  },
  {
    name: "ssh",
    summary: "an interactive shell on the server, in the app's folder (the live release) inside its venv",
    load: async () => (await import("./commands/ssh.js")).sshCommand,
  },
  {
    name: "tunnel",
    summary: "forward the server's app port to this machine: real WeChat reaches the app on your laptop, no deploy",
    load: async () => (await import("./commands/tunnel/command.js")).tunnelCommand,
  },
  {
    name: "inspect",
    summary: "open a recording (tunnel --record) on the inspector page: each exchange explained, replayable",
    load: async () => (await import("./commands/inspect.js")).inspectCommand,
  },
  {
    name: "nginx",
    summary: "print the nginx location block for a server's app (/wechat80xx → 127.0.0.1:80xx)",
    load: async () => (await import("./commands/nginx.js")).nginxCommand,
  },
];
