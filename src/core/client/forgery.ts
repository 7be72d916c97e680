/**
 * What a callback gets wrong on purpose: `wxdev check` sends forgeries a server must refuse, and replay
 * sends a recorded forgery forged again, so a refusal recorded is a refusal reproduced.
 */
export interface Forgery {
  /** The URL `signature` is not the Token's. */
  badSignature?: boolean;
  /** The `msg_signature` is not the Token's (encrypted modes). */
  badMsgSignature?: boolean;
  /** The ciphertext ends with this appId instead of the account's (encrypted modes). */
  appId?: string;
  /** How many seconds the timestamp lies behind the clock (a captured request sent again later). */
  ageSeconds?: number;
}

/** The Token a forger signs with: anyone's but the account's. */
export const forgedToken = (token: string): string => `${token}-forged`;

/** True when the forgery changes nothing: the callback is the one WeChat would send. */
export function isGenuine(forgery: Forgery | undefined): boolean {
  return (
    forgery === undefined ||
    (!forgery.badSignature &&
      !forgery.badMsgSignature &&
      forgery.appId === undefined &&
      (forgery.ageSeconds ?? 0) === 0)
  );
}
