import { Option } from "commander";
import type { Target } from "../../core/client/target.js";
import type { Settings } from "../../core/config/settings.js";
import type { ExchangeLog } from "../../core/inspect/store.js";
import type { InspectKeys } from "../../core/inspect/open.js";
import { InputError } from "../../core/support/errors.js";
import { mask } from "../../core/support/redact.js";
import { DEFAULT_MODE } from "../../core/wire/modes.js";
import { portParser } from "../options.js";
import type { Output } from "../output.js";

/** The inspector's port when --inspect names none (ngrok's inspector uses the same). */
export const DEFAULT_INSPECT_PORT = 4040;

/** `--inspect [port]`: the inspector page on 127.0.0.1. */
export function inspectOption(): Option {
  return new Option(
    "--inspect [port]",
    `show each exchange on a page at http://127.0.0.1:PORT/ (default ${DEFAULT_INSPECT_PORT}; 0 = any free port)`,
  ).argParser(portParser());
}

/** The --inspect value as commander gives it: true without a port. */
export type InspectFlag = number | true | undefined;

/** What a command opens the inspector with. */
export interface InspectSetup {
  flag: InspectFlag;
  title: string;
  settings: Settings;
  /** Where Replay sends; without one, `noReplay` says why there is none. */
  target?: Target;
  noReplay?: string;
  /** The flag that sets the port, for the message when it is busy (default --inspect). */
  portFlag?: string;
}

/** A running inspector: its log (the command adds each exchange) and how to close it. */
export interface OpenInspector {
  log: ExchangeLog;
  url: string;
  close(): Promise<void>;
}

/** The keys exchanges are read with: the Token, and the crypto when the EncodingAESKey and appId are set. */
export async function inspectKeys(settings: Settings): Promise<InspectKeys> {
  const { token, aesKey, appId } = settings;
  if (aesKey === undefined || aesKey === "" || appId === undefined || appId === "") return { token };
  const { MessageCrypto } = await import("../../core/wire/crypto.js");
  return { token, crypto: new MessageCrypto({ token: token ?? "", encodingAESKey: aesKey, appId }) };
}

/**
 * Where Replay sends: `url` (the callback URL) with the settings' Token, mode and keys; when there is no URL or no
 * Token, why Replay is not offered.
 */
export async function replayTarget(
  settings: Settings,
  url: string | undefined,
): Promise<{ target?: Target; noReplay?: string }> {
  if (url === undefined) return { noReplay: "no URL to send to: give the callback URL (--url)" };
  if (settings.token === undefined || settings.token === "")
    return { noReplay: "no Token to sign with: set WXDEV_TOKEN (or --token)" };
  const { createTarget } = await import("../../core/client/target.js");
  const { cryptoForMode } = await import("../../core/config/mode-crypto.js");
  const mode = settings.mode ?? DEFAULT_MODE;
  try {
    const crypto = cryptoForMode(mode, { ...settings, token: settings.token });
    return { target: createTarget({ url, token: settings.token, mode, crypto }) };
  } catch (error) {
    return { noReplay: (error as Error).message };
  }
}

/** Opens the inspector and prints `inspect: URL`. */
export async function openInspector(out: Output, setup: InspectSetup): Promise<OpenInspector> {
  const { createInspector } = await import("../../core/inspect/server.js");
  const { ExchangeLog } = await import("../../core/inspect/store.js");
  const keys = await inspectKeys(setup.settings);
  const log = new ExchangeLog(keys);
  const port = setup.flag === true || setup.flag === undefined ? DEFAULT_INSPECT_PORT : setup.flag;
  const inspector = createInspector({
    port,
    log,
    keys,
    target: setup.target,
    info: {
      title: setup.title,
      mode: setup.settings.mode ?? DEFAULT_MODE,
      token: mask(setup.settings.token),
      ...(setup.noReplay === undefined ? {} : { noReplay: setup.noReplay }),
    },
  });
  let running: Awaited<ReturnType<typeof inspector.listen>>;
  try {
    running = await inspector.listen();
  } catch (error) {
    if (!(error instanceof InputError) || error.input !== "port") throw error;
    const flag = setup.portFlag ?? "--inspect";
    throw new InputError(`${flag}: port ${port} is already in use`, {
      hint: `give another, e.g. ${flag} 0 for any free port`,
      cause: error,
    });
  }
  if (out.json) out.line(JSON.stringify({ inspect: running.url }));
  else out.line(`inspect: ${out.c.bold(running.url)}`);
  return { log, url: running.url, close: running.close };
}
