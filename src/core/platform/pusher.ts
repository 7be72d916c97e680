import { buildCallback } from "../client/callback.js";
import { type ExchangeResult, exchange } from "../client/exchange.js";
import type { Target } from "../client/target.js";
import { errorProblem } from "../wire/problem.js";
import { buildEvent, buildMessage, type FieldOverrides } from "../wire/messages.js";
import type { XmlRecord } from "../wire/xml.js";
import type { PlatformStore } from "./store.js";

/** How many times WeChat sends a message whose answer does not come in time. */
export const PUSH_TRIES = 3;

const timedOut = (result: ExchangeResult): boolean => result.problems.some((problem) => problem.code === "timeout");

/** What a push did: the judged exchange, or why nothing was sent. */
export type PushOutcome = { sent: true; result: ExchangeResult } | { sent: false; reason: string };

/** What to push: an event by name, or a user's message by type; the fields override the samples. */
export type PushSpec = { event: string; fields?: FieldOverrides } | { message: string; fields?: FieldOverrides };

/**
 * Sends the account's events and users' messages to the app exactly as `wxdev simulate` does (the client's
 * signing, encryption in safe/compat mode, and judging), with the account's gh_ id, the user's openid and the
 * mock's clock in CreateTime, tried again as WeChat does when the answer is late. Every try and its answer goes
 * to the store's event feed.
 */
export class Pusher {
  constructor(
    private readonly store: PlatformStore,
    private readonly target: Target | undefined,
  ) {}

  /** Where pushes go, if anywhere. */
  get url(): string | undefined {
    return this.target?.url;
  }

  /** Builds the message from `openid` and pushes it; never throws for the app's failures (they are the result). */
  async push(openid: string, spec: PushSpec): Promise<PushOutcome & { message: XmlRecord }> {
    const header = {
      toUserName: this.store.accountId,
      fromUserName: openid,
      createTime: String(this.store.clock.seconds()),
    };
    const message =
      "event" in spec ? buildEvent(spec.event, spec.fields, header) : buildMessage(spec.message, spec.fields, header);
    const what = "event" in spec ? `event ${String(message.Event)}` : `${spec.message} message`;
    const time = this.store.clock.now();
    if (this.target === undefined) {
      const reason = "no app URL: start the mock with --url (or WXDEV_URL) to push to your app";
      this.store.events.emit({ type: "push", time, openid, what, skipped: reason });
      return { sent: false, reason, message };
    }
    let result: ExchangeResult | undefined;
    // WeChat's tries: an answer not in within the timeout is sent again, freshly signed, 3 times in all.
    for (let attempt = 1; attempt <= PUSH_TRIES && (result === undefined || timedOut(result)); attempt++) {
      result = await exchange(buildCallback(this.target, message), {
        timeoutMs: this.target.timeoutMs,
        crypto: this.target.crypto,
        signer: this.target,
      });
      this.checkMediaIds(result);
      this.store.events.emit({ type: "push", time, openid, what, result, attempt });
    }
    return { sent: true, result: result as ExchangeResult, message };
  }

  /** A reply's MediaId (and ThumbMediaId) must be a media file the account holds: WeChat cannot send another. */
  private checkMediaIds(result: ExchangeResult): void {
    const reply = result.reply;
    if (reply === null) return;
    const ids: string[] = [];
    for (const part of ["Image", "Voice", "Video", "Music"]) {
      const value = reply[part];
      if (value === undefined || typeof value !== "object" || Array.isArray(value)) continue;
      for (const key of ["MediaId", "ThumbMediaId"]) {
        const id = (value as XmlRecord)[key];
        if (typeof id === "string") ids.push(id);
      }
    }
    for (const id of ids) {
      if (this.store.liveMedia(id) !== undefined) continue;
      result.problems.push(
        errorProblem(
          "unknown-media",
          `MediaId ${id.slice(0, 16)}… is not a media file of this account (unknown, or older than 3 days):` +
            " upload it with media/upload first",
        ),
      );
      result.ok = false;
    }
  }
}
