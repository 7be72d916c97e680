import type { HandshakeResult } from "../core/client/handshake.js";
import type { DeployResult, PostResult } from "../core/deploy/deploy.js";
import { ExitCode, exitCodeFor } from "./exit-code.js";
import type { Output } from "./output.js";
import { handshakeJson, renderHandshake } from "./render.js";

/** What `wxdev deploy` did: planned only, deployed (and maybe checked), or rolled back. */
export type DeployOutcome =
  | { action: "dry-run"; server: string; result: DeployResult }
  | { action: "deploy"; server: string; result: DeployResult; check?: HandshakeResult }
  | { action: "rollback"; server: string; from: string; to: string; post?: PostResult };

/** A post command failed, or a background process it left kept its output open (wxdev stopped waiting). */
const postFailed = (post: PostResult | undefined): boolean =>
  post !== undefined && (post.code !== 0 || post.heldOpen === true);

/** A failed post-deploy command or a failed check is exit 1. */
export function deployExitCode(outcome: DeployOutcome): ExitCode {
  if (outcome.action === "dry-run") return ExitCode.Ok;
  const post = outcome.action === "rollback" ? outcome.post : outcome.result.post;
  const checked = outcome.action === "deploy" ? (outcome.check?.ok ?? true) : true;
  return exitCodeFor(!postFailed(post) && checked);
}

/** deploy's one JSON shape: `action`, `ok`, `server`, then what that action did. */
export function deployJson(outcome: DeployOutcome): Record<string, unknown> {
  const head = { ok: deployExitCode(outcome) === ExitCode.Ok, action: outcome.action, server: outcome.server };
  if (outcome.action === "rollback") return { ...head, from: outcome.from, to: outcome.to, post: outcome.post };
  const { plan, ...result } = outcome.result;
  if (outcome.action === "dry-run") return { ...head, ...result, plan };
  return { ...head, ...result, check: outcome.check && handshakeJson(outcome.check) };
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
    printPost(out, outcome.post);
  } else if (outcome.action === "dry-run") {
    printGitignored(out, outcome.result);
    printPlan(out, outcome.result);
  } else {
    printGitignored(out, outcome.result);
    printSummary(out, outcome.result);
    printPost(out, outcome.result.post);
    if (outcome.check) renderHandshake(out, outcome.check, { through: "the proxy" });
  }
}
