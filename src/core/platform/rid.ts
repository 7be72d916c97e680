import { randomBytes } from "node:crypto";

/** What `openapi/rid/get` tells about a failed request (its `request` object), plus the mock's reason. */
export interface RidRecord {
  invoke_time: number;
  cost_in_ms: number;
  /** The query string only, as the platform records it. */
  request_url: string;
  request_body: string;
  response_body: string;
  client_ip: string;
  /** Not the platform's: what the mock found wrong, in words. */
  why?: string;
}

/** Rids kept at most (anyone who reaches the mock can make errors); the oldest go first. */
export const MAX_RIDS = 2_000;
/** The platform answers 76001 for rids older than 7 days. */
const RID_LIFE_S = 7 * 86_400;
/** A recorded body or answer is cut to this many characters. */
const RECORDED_CHARS = 4_000;

const RID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

/**
 * The rids of the mock's error answers. A rid is three groups of 8 hex digits: the first is the request's
 * time in Unix seconds (decoded from real rids), the other two random.
 */
export class RidLog {
  private readonly records = new Map<string, RidRecord>();

  /** Makes a rid for a request made at `seconds`. */
  static make(seconds: number): string {
    const time = (seconds >>> 0).toString(16).padStart(8, "0");
    const random = randomBytes(8).toString("hex");
    return `${time}-${random.slice(0, 8)}-${random.slice(8)}`;
  }

  /** Keeps what a request with `rid` was and got. */
  record(rid: string, record: RidRecord): void {
    if (this.records.size >= MAX_RIDS) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.records.set(rid, {
      ...record,
      request_body: clip(record.request_body),
      response_body: clip(record.response_body),
    });
  }

  /** The record of a rid: `bad` for a malformed one (76002), `unknown` when none or too old (76001). */
  find(rid: unknown, nowSeconds: number): RidRecord | "bad" | "unknown" {
    if (typeof rid !== "string" || !RID_PATTERN.test(rid)) return "bad";
    const found = this.records.get(rid);
    if (found === undefined || nowSeconds - found.invoke_time > RID_LIFE_S) return "unknown";
    return found;
  }

  get size(): number {
    return this.records.size;
  }
}

function clip(text: string): string {
  return text.length > RECORDED_CHARS ? `${text.slice(0, RECORDED_CHARS)}…` : text;
}
