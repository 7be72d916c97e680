/** One deployed file: what changes when its content or mode does. */
export interface ManifestEntry {
  size: number;
  /** Permission bits (e.g. 0o755 as 493). */
  mode: number;
  sha256: string;
  /** Modification time: with the size, lets an unchanged file skip re-hashing (rsync's quick check). */
  mtimeMs?: number;
  /** A symlink deployed as a link: its target as written (size, mode and sha256 are then the target text's). */
  link?: string;
}

/** Path (POSIX, relative to the project root) → entry. */
export type Manifest = Record<string, ManifestEntry>;

/** The manifest the server holds, or why it cannot be used. */
export function parseManifest(json: string): { manifest: Manifest } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "not an object of files" };
  const wellFormed = (entry: unknown): boolean =>
    typeof entry === "object" && entry !== null && typeof (entry as { sha256?: unknown }).sha256 === "string";
  if (!Object.values(value).every(wellFormed)) return { problem: "an entry without a sha256" };
  return { manifest: value as Manifest };
}
