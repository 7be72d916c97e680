/**
 * Typed errors of the core. Each carries a stable `code`, an optional `hint`
 * (how to fix it), an optional `cause` (the error it wraps) and a `kind` the CLI
 * maps to an exit code: "input" → 2 (bad input or usage), "check" → 1 (a check failed).
 */
export type ErrorKind = "input" | "check";

/** What a subclass takes after the message: how to fix it, its stable code, the error it wraps. */
export interface ErrorOptions {
  hint?: string;
  code?: string;
  cause?: unknown;
  /** The input the hint asks to change, by the name a caller passes it (`port`, `path`, `token`). */
  input?: string;
  /** A value of that input to try, as the hint quotes it (`8013`). */
  example?: string;
}

/** Base class of every error wxdev throws on purpose. */
export class WxdevError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly kind: ErrorKind;
  /** The input the hint asks to change (see ErrorOptions): a front end names its own flag or field for it. */
  readonly input?: string;
  readonly example?: string;

  constructor(message: string, options: ErrorOptions & { code: string; kind?: ErrorKind }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.hint = options.hint;
    this.kind = options.kind ?? "input";
    if (options.input !== undefined) this.input = options.input;
    if (options.example !== undefined) this.example = options.example;
  }
}

/** Bad input or usage: a missing setting, an unreadable file, a malformed value. */
export class InputError extends WxdevError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "BAD_INPUT", kind: "input" });
  }
}

/** A check that ran and failed: a signature mismatch, a server that answered wrongly. */
export class CheckFailedError extends WxdevError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "CHECK_FAILED", kind: "check" });
  }
}

/** The error codes of the official WXBizMsgCrypt samples (protocol §3). */
export const WxCryptoCode = {
  ValidateSignatureError: -40001,
  ParseXmlError: -40002,
  ComputeSignatureError: -40003,
  IllegalAesKey: -40004,
  ValidateAppIdError: -40005,
  EncryptAESError: -40006,
  DecryptAESError: -40007,
  IllegalBuffer: -40008,
  EncodeBase64Error: -40009,
  DecodeBase64Error: -40010,
  GenReturnXmlError: -40011,
} as const;

export type WxCryptoCodeValue = (typeof WxCryptoCode)[keyof typeof WxCryptoCode];

const cryptoCodeNames = new Map<number, string>(Object.entries(WxCryptoCode).map(([name, value]) => [value, name]));

/** A message-crypto failure carrying the official −400xx code. */
export class CryptoError extends WxdevError {
  readonly wxCode: WxCryptoCodeValue;

  constructor(wxCode: WxCryptoCodeValue, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${message} (${wxCode} ${cryptoCodeNames.get(wxCode)})`, {
      code: String(cryptoCodeNames.get(wxCode)),
      hint: options.hint,
      cause: options.cause,
      kind: wxCode === WxCryptoCode.ValidateSignatureError ? "check" : "input",
    });
    this.wxCode = wxCode;
  }
}

/** Malformed, oversized or unsafe XML. */
export class XmlError extends WxdevError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "BAD_XML", kind: "input" });
  }
}

/** A configuration file or setting that is missing or invalid; names the key. */
export class ConfigError extends WxdevError {
  readonly key?: string;

  constructor(message: string, options: Omit<ErrorOptions, "code"> & { key?: string } = {}) {
    const { key: _key, ...rest } = options;
    super(message, { ...rest, code: "BAD_CONFIG", kind: "input" });
    this.key = options.key;
  }
}
