import type { Duplex } from "node:stream";

/** What a forwarded channel is doing, for its time limit and for choosing which channel to close when too many. */
export type ChannelState = "idle" | "receiving" | "waiting";

export interface ChannelLimits {
  /** Longest a channel may stay open with no request under way. */
  idleMs: number;
  /** Longest a whole request (headers and body) may take to arrive, from its first byte. */
  requestMs: number;
}

/**
 * The time limits of one forwarded channel. A request must arrive whole within `requestMs` of its first byte, and
 * a channel with nothing under way closes after `idleMs`; neither clock restarts on each byte, so a client that
 * trickles a byte at a time is closed as surely as a silent one. While the app's answer is awaited (the app has
 * its own deadline) no clock runs.
 */
export class ChannelClock {
  state: ChannelState = "idle";
  /** When the current state began: the channel idle or receiving the longest is the first to go. */
  since = 0;
  private timer?: NodeJS.Timeout;
  private reading = 0;
  private awaiting = 0;

  constructor(
    private readonly channel: Duplex,
    private readonly limits: ChannelLimits,
  ) {
    channel.on("data", () => {
      if (this.state === "idle") this.enter("receiving", limits.requestMs);
    });
    channel.once("close", () => clearTimeout(this.timer));
    this.enter("idle", limits.idleMs);
  }

  /** A request's headers have arrived: its body is being read. */
  requestStarted(): void {
    this.reading++;
    this.update();
  }

  /** The request is whole (or given up): its answer is awaited. */
  requestRead(): void {
    this.reading--;
    this.awaiting++;
    this.update();
  }

  /** Its answer has been sent (or the exchange ended). */
  answered(): void {
    this.awaiting--;
    this.update();
  }

  private update(): void {
    if (this.reading > 0) {
      if (this.state !== "receiving") this.enter("receiving", this.limits.requestMs);
    } else if (this.awaiting > 0) this.enter("waiting");
    else this.enter("idle", this.limits.idleMs);
  }

  private enter(state: ChannelState, ms?: number): void {
    clearTimeout(this.timer);
    this.state = state;
    this.since = performance.now();
    if (ms !== undefined && !this.channel.destroyed) this.timer = setTimeout(() => this.channel.destroy(), ms);
  }
}
