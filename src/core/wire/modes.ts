/** The three message modes of the platform (protocol §1). */
export type Mode = "plain" | "compat" | "safe";
export const MODES: readonly Mode[] = ["plain", "compat", "safe"];
/** A callback's mode when nobody says: plain, as a new account starts. */
export const DEFAULT_MODE: Mode = "plain";
