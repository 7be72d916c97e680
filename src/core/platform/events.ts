import type { ExchangeResult } from "../client/exchange.js";

/**
 * What happens on the account, for whoever watches it (the mock's log, the phone page, the inspector): one
 * feed of typed events. `time` is the mock's clock in ms.
 */
export type PlatformEvent =
  /** An API call answered (errcode 0 or none: success). */
  | { type: "api"; time: number; method: string; path: string; status: number; errcode?: number; rid?: string }
  /** An event or message pushed to the app (`attempt`: WeChat's 1st, 2nd or 3rd try), the answer judged. */
  | {
      type: "push";
      time: number;
      openid: string;
      what: string;
      result?: ExchangeResult;
      attempt?: number;
      skipped?: string;
    }
  /** A customer-service message delivered to a follower (what the phone shows). */
  | { type: "message"; time: number; openid: string; msgtype: string; message: Record<string, unknown> }
  /** A template message delivered to a follower. */
  | { type: "template"; time: number; openid: string; msgid: number; template: string; body: Record<string, unknown> }
  | { type: "typing"; time: number; openid: string; command: "Typing" | "CancelTyping" }
  /** The menu changed (null: deleted). */
  | { type: "menu"; time: number; menu: unknown }
  | { type: "follower"; time: number; openid: string; subscribed: boolean }
  | { type: "clock"; time: number; offsetMs: number };

type Listener = (event: PlatformEvent) => void;

/** Watchers at most: each SSE client is one, and a page left open must not pile them up. */
export const MAX_WATCHERS = 32;

/** A small typed emitter: `watch` returns its own stop function; a throwing watcher does not stop the others. */
export class PlatformEvents {
  private readonly listeners = new Set<Listener>();

  /** Starts watching; false when MAX_WATCHERS already watch. */
  watch(listener: Listener): (() => void) | undefined {
    if (this.listeners.size >= MAX_WATCHERS) return undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: PlatformEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A watcher's failure is its own; the platform carries on.
      }
    }
  }

  get watchers(): number {
    return this.listeners.size;
  }
}
