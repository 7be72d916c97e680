import { Command } from "commander";
import type { ReleaseListing } from "../../core/remote/releases.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";

/** What `wxdev releases` found on one server. */
export type ReleasesOutcome = ReleaseListing & { server: string; remoteDir: string };

/** Connects and reads the server's releases. */
export async function runReleases(
  cli: Cli,
  out: Output,
  command: Command,
  name: string,
  options: ConnectFlags,
): Promise<ReleasesOutcome> {
  return withApp(cli, command, out, name, options, async (shell, { server }) => {
    const { listReleases } = await import("../../core/remote/releases.js");
    return { server: name, remoteDir: server.remoteDir, ...(await listReleases(shell, server.remoteDir)) };
  });
}

/**
 * Prints the releases oldest first, marking the live one (*), the one a rollback would pick and those that failed
 * their health gate (←).
 */
export function printReleases(out: Output, outcome: ReleasesOutcome): void {
  if (out.json) {
    out.printJson(outcome);
    return;
  }
  if (outcome.releases.length === 0) {
    out.line(`no wxdev releases in ${outcome.remoteDir} on ${outcome.server}`);
    return;
  }
  for (const release of outcome.releases) {
    const files = `${release.files} ${release.files === 1 ? "file" : "files"}`;
    const marks = [
      release.live && out.ok("live"),
      release.rollbackTarget && "rollback target",
      release.gate === "failed" && out.bad("failed its health gate (never picked by --rollback)"),
    ].filter(Boolean);
    out.line(
      `${release.live ? "*" : " "} ${release.id}  ${release.time ?? "(time unknown)"}  ${files}` +
        (marks.length > 0 ? `  ← ${marks.join(", ")}` : ""),
    );
  }
  if (outcome.live === undefined) out.note(`${outcome.remoteDir} is not a wxdev release link: nothing is live`);
}

/** `wxdev releases`: the server's releases, which is live and which `--rollback` would pick. */
export function releasesCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("releases")).action(
    async (name: string, options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      printReleases(out, await runReleases(cli, out, self, name, options));
    },
  );
  return withExamples(command, ["wxdev releases s8013", "wxdev releases s8013 --json"]);
}
