import { NOTIFICATION_EVENTS } from "../wire/message-tables.js";
import { DEFAULT_FALLBACK, DEFAULT_WELCOME } from "../server/echo-bot.js";

/** The quiet events as Python set items, a few to a line. */
function quietEvents(): string {
  const names = ["unsubscribe", ...NOTIFICATION_EVENTS].map((event) => `"${event}",`);
  const lines: string[] = [];
  for (const name of names) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last] ?? "").length + name.length < 100) lines[last] += ` ${name}`;
    else lines.push(`    ${name}`);
  }
  return lines.join("\n");
}

/** What the generated app needs to know: where it listens and which path nginx maps to it. */
export interface AppTemplateOptions {
  appPort: number;
  path: string;
}

/**
 * The class's seed app (Flask + xmltodict), done right: the signature checked on every request in constant
 * time (as bytes: any text is a wrong signature, never a crash), a POST's timestamp within MAX_AGE of the clock
 * (as `serve --max-age`: a query read from a log cannot be replayed later), the body capped, 400 for a body that
 * is not XML, `success` for events it does not handle, CreateTime in seconds, the reply built by xmltodict (which
 * escapes text, as WeChat accepts), the Token from the environment only, and a request log without query strings
 * (they hold the signature, timestamp and nonce; on a shared server others may read a careless log).
 */
export function wechatPy({ appPort, path }: AppTemplateOptions): string {
  return `"""A WeChat Official Account server (plain mode): echoes text, answers other messages as the class's app does.

Made by \`wxdev init\`. Run it: export WECHAT_TOKEN=<your Token>; python3 wechat.py
Then, in another terminal: wxdev check
"""
import hashlib
import hmac
import os
import re
import sys
import time
from xml.parsers.expat import ExpatError

import xmltodict
from flask import Flask, Response, request
from werkzeug.serving import WSGIRequestHandler

PORT = ${appPort}
PATH = "${path}"
MAX_AGE = 300  # seconds a POST's timestamp may be from this server's clock
MAX_BODY = 64 * 1024  # bytes: WeChat's messages are a few KB
FALLBACK = "${DEFAULT_FALLBACK}"  # what the class's app answers every other message with
WELCOME = "${DEFAULT_WELCOME}"
# Events that only inform: unsubscribe, and the notifications (a job finished, a session opened...).
QUIET_EVENTS = {
${quietEvents()}
}
# Characters XML 1.0 forbids: a reply holding one is not well-formed, and WeChat drops it.
NOT_XML = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
QUERY = re.compile(r"\\?\\S*")


class RequestLog(WSGIRequestHandler):
    """Werkzeug's request log, without query strings."""

    def log(self, type, message, *args):
        super().log(type, message, *(QUERY.sub("", arg) if isinstance(arg, str) else arg for arg in args))


def token():
    """The Token set on the platform, from the environment: never written in this file."""
    return os.environ.get("WECHAT_TOKEN") or os.environ.get("WXDEV_TOKEN") or ""


def signed(args):
    """True when the request carries WeChat's signature: sha1 of the sorted Token, timestamp and nonce."""
    if token() == "":
        return False  # no Token set: nobody's signature can be checked, so nobody gets in
    parts = sorted([token(), args.get("timestamp", ""), args.get("nonce", "")])
    expected = hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()
    return hmac.compare_digest(expected.encode("utf-8"), args.get("signature", "").encode("utf-8"))


def fresh(timestamp):
    """True when a timestamp (seconds) is within MAX_AGE of this server's clock."""
    return timestamp.isascii() and timestamp.isdigit() and abs(time.time() - int(timestamp)) <= MAX_AGE


def body():
    """The request body, at most MAX_BODY bytes; None when it is longer (also without a Content-Length)."""
    data = request.stream.read(MAX_BODY + 1)
    return None if len(data) > MAX_BODY else data


def field(message, name):
    """A field's text; "" when it is missing or not plain text (an element with attributes or children)."""
    value = message.get(name)
    return value if isinstance(value, str) else ""


def text_reply(message, content):
    """A text reply: To and From swapped, CreateTime in seconds; xmltodict escapes the text."""
    reply = {
        "ToUserName": field(message, "FromUserName"),
        "FromUserName": field(message, "ToUserName"),
        "CreateTime": int(time.time()),
        "MsgType": "text",
        "Content": NOT_XML.sub("\\ufffd", content),
    }
    body = xmltodict.unparse({"xml": reply}, full_document=False)
    return Response(body, content_type="application/xml; charset=utf-8")


def answer(message):
    """The reply to one message or event, as the class's app (and wxdev serve) answers it."""
    kind = field(message, "MsgType").lower()
    if kind == "text":
        return text_reply(message, field(message, "Content"))
    if kind == "event":
        event = field(message, "Event").lower()
        if event == "subscribe":
            return text_reply(message, WELCOME)
        if event in QUIET_EVENTS:
            return "success"  # WeChat ignores any reply to these: none is sent
    return text_reply(message, FALLBACK)


@app.route(PATH, methods=["GET", "POST"])
def wechat():
    if not signed(request.args):
        return Response("invalid signature", status=403, content_type="text/plain")
    if request.method == "GET":
        return Response(request.args.get("echostr", ""), content_type="text/plain")
    if not fresh(request.args.get("timestamp", "")):
        return Response("stale timestamp", status=403, content_type="text/plain")
    data = body()
    if data is None:
        return Response("body too large", status=413, content_type="text/plain")
    try:
        message = xmltodict.parse(data)["xml"]
    except (ExpatError, KeyError, TypeError):
        return Response("bad request", status=400, content_type="text/plain")
    if not isinstance(message, dict):
        return Response("bad request", status=400, content_type="text/plain")
    return answer(message)


if __name__ == "__main__":
    if token() == "":
        sys.exit("wechat.py: set WECHAT_TOKEN to the Token you entered on the platform, then run it again")
    app.run(host="127.0.0.1", port=PORT, request_handler=RequestLog)
`;
}
