// Encrypt+decrypt round trips per second: wxdev's MessageCrypto next to wechat-crypto
// (node-webot), on the same messages, in alternating rounds. Target: wxdev >= 1.0x.
import { createRequire } from "node:module";
import { MessageCrypto } from "../dist/index.js";

const require = createRequire(import.meta.url);
const WXBizMsgCrypt = require("wechat-crypto");

const KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APP_ID = "wx2c2769f8efd9abc2";
const MESSAGE =
  "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName>" +
  "<![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime>" +
  "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好，wxdev 😀 hello]]>" +
  "</Content><MsgId>6054768590064713728</MsgId></xml>";

const ours = new MessageCrypto({ token: "token", encodingAESKey: KEY, appId: APP_ID });
const peer = new WXBizMsgCrypt("token", KEY, APP_ID);

const contenders = {
  wxdev: () => {
    if (ours.decrypt(ours.encrypt(MESSAGE)) !== MESSAGE) throw new Error("wxdev round trip failed");
  },
  "wechat-crypto": () => {
    if (peer.decrypt(peer.encrypt(MESSAGE)).message !== MESSAGE) throw new Error("wechat-crypto round trip failed");
  },
};

function opsPerSecond(fn, ms) {
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    count += 200;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

for (const fn of Object.values(contenders)) opsPerSecond(fn, 300); // warm up
const results = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
for (let round = 0; round < 5; round++) {
  for (const [name, fn] of Object.entries(contenders)) results[name].push(opsPerSecond(fn, 600));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = Object.entries(results).map(([name, values]) => [name, median(values)]);
console.log("encrypt+decrypt round trips of a 250-byte text message (median of 5 rounds)");
for (const [name, ops] of rows)
  console.log(`  ${name.padEnd(14)} ${Math.round(ops).toLocaleString("en-US").padStart(10)} ops/s`);
const ratio = rows[0][1] / rows[1][1];
console.log(`  ratio wxdev / wechat-crypto: ${ratio.toFixed(2)}x (target >= 1.00x) ${ratio >= 1 ? "MET" : "NOT MET"}`);
