// One echo-bot server per process, for the benches: `node echo-server.js <kind> <port> <token>`.
//   wxdev  the reference server (createWechatServer)
//   webot  the same echo bot with the `wechat` npm package (node-webot) on express
//   bare   node:http answering one fixed reply without parsing or checking anything (the ceiling)
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { createWechatServer } from "../../dist/index.js";

const [kind, portText, token] = process.argv.slice(2);
const port = Number(portText);
const require = createRequire(import.meta.url);

async function start() {
  if (kind === "wxdev") {
    await createWechatServer({ port, token, path: "/wechat" }).listen();
  } else if (kind === "webot") {
    const express = require("express");
    const wechat = require("wechat");
    const app = express();
    app.use(express.query());
    app.use(
      "/wechat",
      wechat({ token }, (req, res) => {
        const message = req.weixin;
        if (message.MsgType === "text") res.reply(message.Content);
        else res.reply("i love him");
      }),
    );
    await new Promise((resolve) => app.listen(port, "127.0.0.1", resolve));
  } else if (kind === "bare") {
    const reply =
      "<xml><ToUserName><![CDATA[o]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName>" +
      "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" +
      "<![CDATA[hi]]></Content></xml>";
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "Content-Type": "application/xml" }).end(reply));
    });
    await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  } else {
    throw new Error(`unknown server kind ${kind}`);
  }
  process.send?.("ready");
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
await start();
