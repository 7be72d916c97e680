import { InputError } from "../../../core/support/errors.js";
import type { Cli } from "../../context.js";

/** The fields of `oauth exchange --json` (or `refresh --json`) that the later calls take. */
export type ExchangedTokens = Partial<Record<"access_token" | "openid" | "refresh_token", string>>;

const FIELDS = ["access_token", "openid", "refresh_token"] as const;
const PIPE_EXAMPLE = "e.g. wxdev oauth exchange --code C --json | wxdev oauth userinfo --from -";

async function readSource(cli: Cli, from: string): Promise<string> {
  if (from !== "-") {
    const { readTextFile } = await import("../../../core/support/read-file.js");
    return readTextFile(from, { name: `--from ${from}`, hint: "check the path" });
  }
  if (cli.io.stdin.isTTY === true)
    throw new InputError("--from - reads oauth exchange's --json output from stdin", { hint: PIPE_EXAMPLE });
  const chunks: Buffer[] = [];
  for await (const chunk of cli.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "")
    throw new InputError("--from -: nothing on stdin (did the oauth exchange before the pipe fail?)", {
      hint: PIPE_EXAMPLE,
    });
  return text;
}

/** Reads `--from FILE` or `--from -` (stdin): the JSON `oauth exchange --json` printed. */
export async function readExchanged(cli: Cli, from: string): Promise<ExchangedTokens> {
  const text = await readSource(cli, from);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // Not quoted: the text holds tokens.
    const { locateJsonError } = await import("../../../core/support/json-syntax.js");
    const { line, column } = locateJsonError(text, cause as Error);
    throw new InputError(`--from ${from} is not JSON (line ${line}, column ${column})`, {
      hint: `give it the output of oauth exchange --json, ${PIPE_EXAMPLE}`,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InputError(`--from ${from} is not a JSON object`, {
      hint: "give it the output of oauth exchange --json",
    });
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    FIELDS.filter((field) => typeof record[field] === "string").map((field) => [field, record[field]]),
  );
}

/** A value from its flag, else from --from's JSON; missing both, an error naming both ways to give it. */
export function flagOrExchanged(
  flag: string | undefined,
  exchanged: ExchangedTokens | undefined,
  field: keyof ExchangedTokens,
  flagName: string,
): string {
  const value = flag ?? exchanged?.[field];
  if (value !== undefined && value !== "") return value;
  throw new InputError(
    exchanged === undefined ? `missing ${flagName}` : `the JSON given to --from has no ${field}, and no ${flagName}`,
    { hint: `pass ${flagName}, or --from FILE / --from - with oauth exchange's --json output` },
  );
}
