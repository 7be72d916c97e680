/**
 * The vocabulary of the declaration tables (message-types.ts, event-types.ts): what a field is,
 * and the helpers that declare one in a line.
 */

/** A field of a message, event or reply. */
export interface FieldSpec {
  name: string;
  required: boolean;
  /** Written as a bare number, not CDATA. */
  number: boolean;
  /** Its value is a decimal number even where WeChat writes it as CDATA (SendLocationInfo/Location_X). */
  numeric?: boolean;
  /** A whole number (Scale, MenuId): a simulate flag refuses `1.5`. */
  integer?: boolean;
  /** The values WeChat can send, inclusive (latitude −90…90): a simulate flag refuses others. */
  range?: readonly [min: number, max: number];
  /** A realistic value for built messages; a function when each message needs its own. */
  sample?: string | (() => string);
  /** The `wxdev simulate` flag that sets it, with its value placeholder (`--lat <latitude>`). */
  flag?: string;
  /** What the flag's help adds after the field name, e.g. the accepted values. */
  flagHelp?: string;
  /** Set from the words after the type (`wxdev simulate text hello`) instead of a flag. */
  fromArguments?: boolean;
  /** Child elements, for a field that nests (ScanCodeInfo, SendPicsInfo/PicList/item). */
  children?: FieldSpec[];
  /** The element repeats (`item`, `List`): its value is a list of records. */
  repeated?: boolean;
  /** Holds how many elements the sibling path names (`PicList/item`): built messages keep it in step. */
  countOf?: string;
  /**
   * Sent only when a sibling field holds one of these values (PUBLISHJOBFINISH's article_id only when
   * publish_status is 0): built messages leave it out otherwise, and refuse it when set.
   */
  onlyWhen?: { field: string; values: readonly string[] };
  /** Where the field is documented or typed, for a field only some sources carry. */
  source?: string;
  /** What WeChat does when a required reply field is missing, where the sources disagree on requiring it. */
  whenMissing?: string;
}

/** A user message or event: its own fields (besides the common ones) and what sums it up. */
export interface MessageSpec {
  fields: FieldSpec[];
  /** The field, as a path (`Image/MediaId`), that says what it is about in one-line summaries. */
  summary?: string;
  /** Where its shape comes from, for a declaration beyond the protocol notes (the platform's page, an SDK). */
  source?: string;
}

/** An event: a message spec, whether `wxdev check` sends it, and whether anyone reads a reply to it. */
export interface EventSpec extends MessageSpec {
  checked?: boolean;
  /** A notification (a job finished, a session opened): WeChat ignores any reply; servers answer `success`. */
  notification?: boolean;
}

/** How a field is declared: everything but its name and kind, `optional` instead of `required`. */
export type FieldOptions = Partial<Omit<FieldSpec, "name" | "required" | "number">> & { optional?: boolean };

function field(name: string, number: boolean, { optional, ...options }: FieldOptions): FieldSpec {
  return { name, required: optional !== true, number, ...options };
}
/** A text field, written as CDATA. */
export const text = (name: string, options: FieldOptions = {}): FieldSpec => field(name, false, options);
/** A field WeChat writes as a bare number. */
export const num = (name: string, options: FieldOptions = {}): FieldSpec => field(name, true, options);
/** An element holding child elements. */
export const nested = (name: string, children: FieldSpec[], options: FieldOptions = {}): FieldSpec =>
  field(name, false, { ...options, children });
/** A repeated element (`<item>`, `<List>`), each holding `children`. */
export const list = (name: string, children: FieldSpec[]): FieldSpec =>
  field(name, false, { children, repeated: true });
/** A bare number written once per value (`<fail_idx>1</fail_idx><fail_idx>3</fail_idx>`). */
export const numbers = (name: string, options: FieldOptions = {}): FieldSpec =>
  field(name, true, { ...options, repeated: true });

/**
 * `size` bytes for a sample value. A sample media id or md5 is a placeholder, not a secret, so
 * Math.random will do: the tables are declared on every `--help`, and loading node:crypto would slow that start-up.
 */
function sampleBytes(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index++) bytes[index] = Math.floor(Math.random() * 256);
  return bytes;
}

/** A fresh media id per message. */
export const mediaId = (): string => sampleBytes(24).toString("base64url");
/** A fresh hex string of `bytes` random bytes per message. */
export const hex = (bytes: number) => (): string => sampleBytes(bytes).toString("hex");

/** Latitudes and longitudes WeChat can send. */
export const LATITUDE = [-90, 90] as const;
export const LONGITUDE = [-180, 180] as const;
