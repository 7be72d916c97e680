import type { DeployResult, PostResult } from "../../../core/deploy/deploy.js";
import type { CheckResult, DownResult, GateResult, UpResult } from "../../../core/remote/releases/gate.js";
import { postFailed } from "../../../core/remote/releases/post.js";
import type { RollbackResult } from "../../../core/remote/releases/rollback.js";
import { CommandNotFoundError, CommandNotRunError } from "../../../core/remote/shell.js";
import { ExitCode, exitCodeFor } from "../../exit-code.js";
import type { Output } from "../../output.js";

/** What `wxdev deploy` did: planned only, deployed (and maybe checked), or rolled back. */
export type DeployOutcome =
  | { action: "dry-run"; server: string; result: DeployResult }
  | { action: "deploy"; server: string; result: DeployResult }
  | ({ action: "rollback"; server: string } & RollbackResult);

/** Whether the managed app came up (true when there is none to start). */
function appUp(outcome: Exclude<DeployOutcome, { action: "dry-run" }>): boolean {
  if (outcome.action === "rollback")
    return outcome.notStarted === undefined && (outcome.app === undefined || outcome.app.up !== undefined);
  return outcome.result.notStarted === undefined && (outcome.result.app === undefined || !!outcome.result.app.up);
}

/** A failed post-deploy command, an app that did not come up (even if the gate switched back) or a failed check: 1. */
export function deployExitCode(outcome: DeployOutcome): ExitCode {
  if (outcome.action === "dry-run") return ExitCode.Ok;
  const post = outcome.action === "rollback" ? outcome.post : outcome.result.post;
  const checked = outcome.action === "deploy" ? (outcome.result.check?.ok ?? true) : true;
  return exitCodeFor(!postFailed(post) && checked && appUp(outcome));
}

/** deploy's one JSON shape: `action`, `ok`, `server`, then what that action did. */
export function deployJson(outcome: DeployOutcome): Record<string, unknown> {
  const head = { ok: deployExitCode(outcome) === ExitCode.Ok, action: outcome.action, server: outcome.server };
  if (outcome.action === "rollback") {
    const { action: _action, server: _server, ...rest } = outcome;
    return { ...head, ...rest };
  }
  const { plan, ...result } = outcome.result;
  if (outcome.action === "dry-run") return { ...head, ...result, plan };
  return { ...head, ...result };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const files = (count: number): string => `${count} ${count === 1 ? "file" : "files"}`;

function printPlan(out: Output, result: DeployResult): void {
  const { plan } = result;
  const replace = plan.replace.length ? `, replace ${plan.replace.length} (a file became a folder, or back)` : "";
  const kept = plan.kept.length ? `, kept ${plan.kept.length} (gone locally; --delete removes them)` : "";
  out.line(
    `plan: upload ${plan.upload.length} (${kib(plan.bytes)}), delete ${plan.delete.length}, ` +
      `unchanged ${plan.unchanged.length}${replace}${kept}`,
  );
  const changed = new Set(result.changed);
  for (const path of plan.upload)
    out.line(changed.has(path) ? `  ${out.c.yellow("~")} ${path}` : `  ${out.ok("+")} ${path}`);
  for (const path of plan.delete) out.line(`  ${out.bad("-")} ${path}`);
  for (const path of plan.replace) out.line(`  ${out.bad("-")} ${path} (in the way: a file became a folder, or back)`);
  if (result.wouldAdopt)
    out.line(
      "the remote directory is a plain folder: it would be kept as the first release and the live path made a link",
    );
  for (const command of result.wouldRun ?? []) out.line(`would run in the remote directory: ${command}`);
}

function printSummary(out: Output, result: DeployResult): void {
  out.line(
    `uploaded ${files(result.uploaded)} (${kib(result.bytes)}), deleted ${result.deleted}, ` +
      `unchanged ${result.unchanged}, in ${result.seconds.toFixed(2)} s` +
      out.c.dim(result.release ? ` (release ${result.release})` : " (nothing changed: live release kept)"),
  );
}

function printGitignored(out: Output, { gitignored }: DeployResult): void {
  if (gitignored.length === 0) return;
  const shown = gitignored.slice(0, 5).join(", ") + (gitignored.length > 5 ? ", …" : "");
  out.note(
    `${gitignored.length} selected path(s) stay local because .gitignore lists them: ${shown}` +
      ' (name a file literally in "files" or on the command line to deploy it)',
  );
}

/** A failed post-deploy command, with its stderr (or the signal that killed it). */
function printPost(out: Output, post: PostResult | undefined): void {
  if (post === undefined || !postFailed(post)) return;
  if (post.heldOpen) {
    out.error(
      `post-deploy command exited with ${post.code ?? "no status"}, but a process it started in the background kept` +
        " its output open, so wxdev waited for it, then stopped waiting (that process may die when it next writes):" +
        " start it with its output redirected, e.g. `nohup python wechat.py >> app.log 2>&1 < /dev/null &`," +
        ' or let wxdev run the app ("start" in the server\'s config)',
    );
    return;
  }
  if (post.notRun) {
    const notRun = new CommandNotRunError(post.code);
    out.error(`post-deploy command failed: ${notRun.message} — ${notRun.hint}`);
    return;
  }
  if (post.missing !== undefined && post.missing.length > 0) {
    const missing = new CommandNotFoundError(post.missing);
    out.error(`post-deploy command failed: ${missing.message} — ${missing.hint}`);
    return;
  }
  const stderr = post.stderr.trim().split("\n").slice(-3).join(" | ") || "(no stderr)";
  if (post.signal !== undefined) {
    const hint = /pkill -f|killall/.test(post.command)
      ? " (pkill -f also matches the shell running this command, whose command line holds the pattern:" +
        " anchor it, e.g. pkill -f '^python wechat.py')"
      : "";
    out.error(`post-deploy command was killed by signal ${post.signal}${hint}: ${stderr}`);
  } else {
    out.error(`post-deploy command exited with ${post.code ?? "no status"}: ${stderr}`);
  }
}

/** Prints what deploy did: the JSON document, or the plan / summary, a failed post command and the check. */
export function printDeploy(out: Output, outcome: DeployOutcome): void {
  if (out.json) {
    out.printJson(deployJson(outcome));
  } else if (outcome.action === "rollback") {
    out.line(`rolled back ${outcome.server}: ${outcome.from} → ${outcome.to}`);
    if (outcome.failedBefore)
      out.note(`release ${outcome.to} had failed its health gate: it was named, so it was tried`);
    printPost(out, outcome.post);
    if (outcome.notStarted) out.error(`the app was not restarted: ${outcome.notStarted}`);
    if (outcome.app) printGate(out, outcome.to, outcome.app);
    printTokenAdvice(out, outcome.server, outcome);
  } else if (outcome.action === "dry-run") {
    printGitignored(out, outcome.result);
    printPlan(out, outcome.result);
  } else {
    const { result } = outcome;
    printGitignored(out, result);
    printSummary(out, result);
    if (result.postSkipped) out.note(`nothing changed: the post-deploy command did not run (${result.postSkipped})`);
    printPost(out, result.post);
    if (result.notStarted) out.error(`the app was not restarted: ${result.notStarted}`);
    if (result.appKept)
      out.line(
        `${out.ok("✓")} the app (pid ${result.appKept.pid}) already runs release ${result.appKept.release}:` +
          ` not restarted ${out.c.dim(`(wxdev restart ${outcome.server} restarts it)`)}`,
      );
    if (result.app) printGate(out, result.release, result.app);
    if (result.check) printCheck(out, result.check);
    printServing(out, outcome.server, result);
    printTokenAdvice(out, outcome.server, result);
  }
}

/** A check without the gate (files only with --check, or nothing to wait for). */
function printCheck(out: Output, check: CheckResult): void {
  if (check.ok) out.line(`${out.ok("✓")} handshake through ${check.url} (${Math.round(check.latencyMs)} ms)`);
  else out.error(`the handshake through ${check.url} failed: ${check.problem}`);
}

/** After a deploy that did not restart the app: what runs, and whether that is the release just made live. */
function printServing(out: Output, server: string, result: DeployResult): void {
  const live = result.release ?? undefined;
  const serving = result.serving;
  const restart = `wxdev restart ${server}`;
  if (result.notRunning && result.app === undefined && result.appKept === undefined)
    out.note(
      `the app is not running${result.release ? "" : " (nothing changed)"}: start it with wxdev start ${server}`,
    );
  if (serving === undefined || live === undefined) return;
  const who = `the app (pid ${serving.pid}${serving.managed ? "" : ", not started by wxdev"})`;
  if (serving.release === live && !serving.deleted) {
    out.line(`${out.ok("✓")} ${who} runs release ${live}`);
    return;
  }
  const runs = serving.release === undefined ? `in ${serving.path}` : `release ${serving.release}`;
  const fix = serving.managed ? restart : 'restart it (or let wxdev run it: "start")';
  out.warn(`${who} still runs ${runs}, not the new release ${live}: a restart is needed to serve it: ${fix}`);
}

/** A refused signature: which Token wxdev signed with is in the message; where the app reads its own, here. */
function printTokenAdvice(out: Output, server: string, result: { check?: CheckResult; app?: GateResult }): void {
  const back = result.app?.back;
  const checks = [result.check, result.app?.down?.check, back && "down" in back ? back.down.check : undefined];
  if (!checks.some((check) => check !== undefined && (check.status === 401 || check.status === 403))) return;
  out.note(
    `the app on the server reads its own Token from WECHAT_TOKEN: set it once with wxdev env ${server} set` +
      ` WECHAT_TOKEN (then wxdev restart ${server}), compare the two with wxdev env ${server} check WECHAT_TOKEN`,
  );
}

/** "✓ app started: pid …" and "✓ handshake through … (N ms)". */
function printUp(out: Output, up: UpResult): void {
  const stopped = up.start.stopped === undefined ? "" : out.c.dim(` (stopped pid ${up.start.stopped})`);
  const started = up.by === "post" ? "app restarted by the post-deploy command" : "app started";
  out.line(
    `${out.ok("✓")} ${started}: pid ${up.start.pid}, release ${up.start.release}, ` +
      `in ${up.start.seconds.toFixed(1)} s${up.start.warm ? " (warm start)" : ""}` +
      stopped,
  );
  if (up.check) out.line(`${out.ok("✓")} handshake through ${up.check.url} (${Math.round(up.check.latencyMs)} ms)`);
}

/**
 * The failed release's last log lines, on stderr (the traceback, not just "502"); not for a refused signature,
 * whose log holds only the refusals: the message says which Token was used.
 */
function printTail(out: Output, down: DownResult): void {
  if (down.logTail.length === 0 || down.check?.status === 401 || down.check?.status === 403) return;
  out.note(out.c.dim("--- the app's log (last lines) ---"));
  for (const line of down.logTail.slice(-20)) out.note(line);
  out.note(out.c.dim("---"));
}

/** The health gate's verdict: up, or down with its log tail and what became of the release live before. */
function printGate(out: Output, release: string | undefined, gate: GateResult): void {
  if (gate.up) {
    printUp(out, gate.up);
    return;
  }
  const down = gate.down;
  if (down === undefined) return;
  printTail(out, down);
  const what = release === undefined ? "the app" : `release ${release}`;
  if (gate.back === undefined) {
    out.error(`${what} did not come up: ${down.reason}; ${gate.kept ?? "nothing was switched back"}`);
    return;
  }
  const back = gate.back;
  if ("up" in back) {
    // The ✓ lines first: the verdict that closes the deploy says what they showed.
    printUp(out, back.up);
    out.error(`${what} did not come up: ${down.reason}; switched back to ${back.release}, which answers again`);
    return;
  }
  printTail(out, back.down);
  out.error(
    `${what} did not come up: ${down.reason}; switched back to ${back.release}, but it does not come up either:` +
      ` ${back.down.reason}`,
  );
}
