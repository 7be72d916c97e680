/**
 * Exit codes, the same for every command: 0 ok, 1 a check failed (the answer is "no"), 2 bad input or
 * usage, 70 an internal error (a bug in wxdev: EX_SOFTWARE of sysexits.h), 130 stopped by Ctrl-C before its end
 * (128 + SIGINT, as shells report it). A command whose normal end is Ctrl-C (serve, mock, tunnel, chat, logs -f)
 * ends 0 then: it did what it was asked until asked to stop.
 */
export const ExitCode = { Ok: 0, CheckFailed: 1, BadInput: 2, Internal: 70, Interrupted: 130 } as const;

/** One of the exit codes above. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** `wxdev exec`'s exit code: the remote command's own, passed through (killed by a signal: 1). */
export type PassedThrough = number & { readonly passedThrough: unique symbol };

/** The remote command's exit status as wxdev's, for `exec` only. */
export function passThrough(code: number | null): PassedThrough {
  return (code ?? ExitCode.CheckFailed) as PassedThrough;
}

/** The exit code of an outcome that passed or failed its check. */
export function exitCodeFor(ok: boolean): ExitCode {
  return ok ? ExitCode.Ok : ExitCode.CheckFailed;
}

/** The exit-code paragraph of `wxdev --help` (README's "Exit codes" says the same). */
export const EXIT_CODES_HELP =
  "\nExit codes: 0 success, 1 a check failed (invalid signature, a reply WeChat would reject…), " +
  "2 bad input or usage,\n70 an internal error (a bug in wxdev: please report it), 130 stopped by Ctrl-C before" +
  " its end;\nwhat runs until Ctrl-C (serve, mock, tunnel, chat, logs -f) ends 0 then.\n";
