/** The three message modes of the platform (protocol §1). */
export type Mode = "plain" | "compat" | "safe";
export const MODES: readonly Mode[] = ["plain", "compat", "safe"];
