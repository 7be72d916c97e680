import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./net.js";

/**
 * A class-style app (Flask + xmltodict, one file, as students write it) for the phone page's tests. It checks the
 * signature, decrypts and encrypts in safe mode (AES-CBC with the EncodingAESKey, as the protocol says), and
 * answers: text → its echo; "图文"/"三篇"/"坏链接" → news; "慢" → after 6 s; "客服"/"模板" → success, then a
 * customer-service or template message through the mock's API; "错人" → a reply to another user; "坏图" → an
 * image reply with a MediaId the account does not hold; CLICK, SCAN,
 * subscribe and the other menu events → a text naming the event, its key and what it carried; VIEW → success. GET /index?code= exchanges the code at the mock and shows the openid.
 */
const APP = `
import base64, hashlib, json, os, socket, struct, sys, threading, time, urllib.parse, urllib.request
import xmltodict
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import Flask, Response, request

TOKEN, APPID, SECRET = os.environ["APP_TOKEN"], os.environ["APP_ID"], os.environ["APP_SECRET"]
AES_KEY = base64.b64decode(os.environ["APP_AES_KEY"] + "=")
MOCK = os.environ["MOCK"]
app = Flask(__name__)


def sha1(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def decrypt(text):
    decryptor = Cipher(algorithms.AES(AES_KEY), modes.CBC(AES_KEY[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(text)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    size = struct.unpack(">I", plain[16:20])[0]
    return plain[20 : 20 + size].decode()


def encrypt(text):
    raw = os.urandom(16) + struct.pack(">I", len(text.encode())) + text.encode() + APPID.encode()
    pad = 32 - len(raw) % 32
    raw += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(AES_KEY), modes.CBC(AES_KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()


def api(path, body=None):
    token = json.load(urllib.request.urlopen(
        MOCK + "/cgi-bin/token?grant_type=client_credential&appid=" + APPID + "&secret=" + SECRET))["access_token"]
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    return json.load(urllib.request.urlopen(MOCK + path + "?access_token=" + token, data))


def later(job):
    threading.Timer(0.3, job).start()


def reply(msg, kind, **fields):
    out = {"ToUserName": msg["FromUserName"], "FromUserName": msg["ToUserName"],
           "CreateTime": int(time.time()), "MsgType": kind}
    out.update(fields)
    return xmltodict.unparse({"xml": out}, full_document=False)


def article(n, url="http://127.0.0.1/article"):
    return {"Title": "第%d篇文章" % n, "Description": "摘要%d" % n, "PicUrl": "", "Url": url}


def answer(msg):
    kind, user = msg.get("MsgType"), msg["FromUserName"]
    if kind == "text":
        content = msg.get("Content") or ""
        if content == "图文":
            return reply(msg, "news", ArticleCount=1, Articles={"item": [article(1)]})
        if content == "三篇":
            return reply(msg, "news", ArticleCount=3, Articles={"item": [article(1), article(2), article(3)]})
        if content == "坏链接":
            return reply(msg, "news", ArticleCount=1, Articles={"item": [article(1, "javascript:alert(1)")]})
        if content == "慢":
            time.sleep(6)
        if content == "坏图":
            return reply(msg, "image", Image={"MediaId": "no-such-media"})
        if content == "错人":
            msg["FromUserName"] = "oSomebodyElse"
        if content == "客服":
            later(lambda: api("/cgi-bin/message/custom/send",
                              {"touser": user, "msgtype": "text", "text": {"content": "客服来了 <b>hi</b>"}}))
            return "success"
        if content == "模板":
            templates = api("/cgi-bin/template/get_all_private_template")["template_list"]
            later(lambda: api("/cgi-bin/message/template/send", {
                "touser": user, "template_id": templates[0]["template_id"], "url": "http://127.0.0.1/detail",
                "data": {"thing1": {"value": "体检"}, "time2": {"value": "2024年5月4日 09:00"},
                         "name3": {"value": "张三"}}}))
            return "success"
        return reply(msg, "text", Content=content)
    if kind == "event":
        event, key = msg.get("Event"), msg.get("EventKey") or ""
        if event == "CLICK":
            return reply(msg, "text", Content="点击了 " + key)
        if event in ("subscribe", "SCAN"):
            return reply(msg, "text", Content=event + " " + key)
        if event.startswith("scancode_"):
            return reply(msg, "text", Content=" ".join([event, key, msg["ScanCodeInfo"]["ScanResult"]]))
        if event.startswith("pic_"):
            return reply(msg, "text", Content=" ".join([event, key, msg["SendPicsInfo"]["Count"]]))
        if event == "location_select":
            return reply(msg, "text", Content=" ".join([event, key, msg["SendLocationInfo"]["Label"]]))
        return "success"
    if kind == "location":
        return reply(msg, "text", Content="位置 " + (msg.get("Label") or ""))
    if kind == "image":
        return reply(msg, "text", Content="收到图片")
    return "success"


@app.route("/wechat", methods=["GET", "POST"])
def wechat():
    a = request.args
    if sha1(TOKEN, a.get("timestamp", ""), a.get("nonce", "")) != a.get("signature"):
        return "bad signature", 403
    if request.method == "GET":
        return a.get("echostr", "")
    msg = xmltodict.parse(request.data)["xml"]
    safe = a.get("encrypt_type") == "aes"
    if safe:
        if sha1(TOKEN, a["timestamp"], a["nonce"], msg["Encrypt"]) != a.get("msg_signature"):
            return "bad msg_signature", 403
        msg = xmltodict.parse(decrypt(msg["Encrypt"]))["xml"]
    out = answer(msg)
    if not safe or out == "success":
        return out
    stamp, nonce, sealed = str(int(time.time())), "phone", encrypt(out)
    return xmltodict.unparse({"xml": {"Encrypt": sealed, "MsgSignature": sha1(TOKEN, stamp, nonce, sealed),
                                      "TimeStamp": stamp, "Nonce": nonce}}, full_document=False)


@app.route("/index")
def index():
    code = request.args.get("code", "")
    got = json.load(urllib.request.urlopen(MOCK + "/sns/oauth2/access_token?" + urllib.parse.urlencode(
        {"appid": APPID, "secret": SECRET, "code": code, "grant_type": "authorization_code"})))
    return "<p>code <span id=code>%s</span></p><p>openid <span id=openid>%s</span></p>" % (code, got.get("openid"))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]), threaded=True)
`;

export interface PhoneApp {
  url: string;
  origin: string;
  /** What the app printed (its request log), for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** A port for the app, so that the mock (which pushes to it) can start first. */
export const phoneAppPort = freePort;

/** Writes the app into `dir` and runs it on `port` with Debian's python3; resolves once it answers. */
export async function startPhoneApp(
  dir: string,
  port: number,
  env: { token: string; appId: string; secret: string; aesKey: string; mock: string },
): Promise<PhoneApp> {
  writeFileSync(join(dir, "wechat.py"), APP);
  let log = "";
  const child: ChildProcess = spawn("/usr/bin/python3", [join(dir, "wechat.py")], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      APP_TOKEN: env.token,
      APP_ID: env.appId,
      APP_SECRET: env.secret,
      APP_AES_KEY: env.aesKey,
      MOCK: env.mock,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the Flask app stopped: ${log}`);
    const up = await fetch(`${origin}/wechat`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `${origin}/wechat`,
    origin,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await gone;
    },
  };
}
