import { open, readFile, rename, rm } from "node:fs/promises";
import { InputError } from "../support/errors.js";
import type { SavedState } from "./store.js";

/** Changes are written at most this often (a burst of calls is one write). */
const WRITE_DELAY_MS = 200;

/** Reads a state file; undefined when there is none yet. Names the file and the fix when it is not one. */
export async function loadState(path: string, appId: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(`cannot read the state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const notState = (why: string) =>
    new InputError(`${path} is not a wxdev mock state file (${why})`, {
      hint: "name a new state file (it is created), or delete this one",
      input: "state",
    });
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw notState("not JSON");
  }
  const state = saved as Partial<SavedState>;
  if (typeof state !== "object" || state === null || state.version !== 1) throw notState("no version 1");
  const arrays = ["followers", "media", "templates", "qrcodes"] as const;
  const broken = arrays.find((key) => !Array.isArray(state[key]));
  if (broken !== undefined) throw notState(`"${broken}" is not a list`);
  if (typeof state.quotas !== "object" || state.quotas === null) throw notState('"quotas" is missing');
  if (state.appId !== appId)
    throw new InputError(`${path} keeps the account ${String(state.appId)}, not ${appId}`, {
      hint: "use the appId it was made with, or another state file",
      input: "state",
    });
  return state as SavedState;
}

/** Writes a file whole or not at all: a temporary file beside it, synced, then renamed over it (mode 600). */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Keeps a state file up to date: `changed()` schedules a write, `flush()` writes what is pending now. */
export class StateWriter {
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  constructor(
    private readonly path: string,
    private readonly snapshot: () => SavedState,
    /** Told of a failed write; the next change tries again. */
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  changed(): void {
    this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = `${JSON.stringify(this.snapshot())}\n`;
    this.writing = this.writing
      .then(() => writeAtomically(this.path, text))
      .catch((error: Error) => this.onError(error));
    return this.writing;
  }
}
