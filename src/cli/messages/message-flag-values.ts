import { InputError } from "../../core/support/errors.js";
import type { FieldSpec } from "../../core/wire/message-types.js";

const DECIMAL = /^-?\d+(\.\d+)?$/;
const WHOLE = /^-?\d+$/;
/** WeChat's ids and counts are at most 64-bit; a longer number is a typo. */
const MAX_UINT64 = 2n ** 64n - 1n;

const example = (field: FieldSpec): string =>
  typeof field.sample === "string" && field.sample !== "" ? field.sample : "1";

/**
 * Refuses a flag value its field cannot hold: a number field takes a plain decimal (not `1e3`, `0x10`,
 * `Infinity`), a whole number where WeChat sends one, within the field's range (latitude −90…90).
 */
export function checkFlagValue(flag: string, value: string, field: FieldSpec): void {
  if (!field.number && !field.numeric) return;
  const hint = `e.g. ${flag} ${example(field)}`;
  if (!(field.integer ? WHOLE : DECIMAL).test(value))
    throw new InputError(`${flag} ${value} is not a ${field.integer ? "whole" : "decimal"} number`, { hint });
  if (field.range !== undefined) {
    const [min, max] = field.range;
    const number = Number(value);
    if (number < min || number > max)
      throw new InputError(`${flag} ${value} is out of range: ${field.name} is ${min} to ${max}`, { hint });
  } else if (WHOLE.test(value) && (BigInt(value) > MAX_UINT64 || BigInt(value) < -MAX_UINT64)) {
    throw new InputError(`${flag} ${value} is above 2^64−1, the largest ${field.name} WeChat sends`, { hint });
  }
}
