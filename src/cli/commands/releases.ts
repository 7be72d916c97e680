import { Command } from "commander";
import type { ReleaseListing } from "../../core/remote/releases.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { serverFromConfig } from "../server-config.js";

interface ReleasesOptions {
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

/** What `wxdev releases` found on one server. */
export type ReleasesOutcome = ReleaseListing & { server: string; remoteDir: string };

/** Connects and reads the server's releases. */
export async function runReleases(
  cli: Cli,
  out: Output,
  command: Command,
  name: string,
  options: ReleasesOptions,
): Promise<ReleasesOutcome> {
  const { server } = serverFromConfig(cli, command, name);
  const { connectWithPrompts } = await import("../ssh.js");
  const connection = await connectWithPrompts(server, cli.io, out, {
    acceptNewHostKey: options.yes === true || options.acceptNewHostKey === true,
    name,
  });
  try {
    const { listReleases } = await import("../../core/remote/releases.js");
    return { server: name, remoteDir: server.remoteDir, ...(await listReleases(connection.shell, server.remoteDir)) };
  } finally {
    connection.close();
  }
}

/** Prints the releases oldest first, marking the live one (*) and the one a rollback would pick (←). */
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
    const marks = [release.live && out.ok("live"), release.rollbackTarget && "rollback target"].filter(Boolean);
    out.line(
      `${release.live ? "*" : " "} ${release.id}  ${release.time ?? "(time unknown)"}  ${files}` +
        (marks.length > 0 ? `  ← ${marks.join(", ")}` : ""),
    );
  }
  if (outcome.live === undefined) out.note(`${outcome.remoteDir} is not a wxdev release link: nothing is live`);
}

/** `wxdev releases`: the server's releases, which is live and which `--rollback` would pick. */
export function releasesCommand(cli: Cli): Command {
  const command = new Command("releases")
    .argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013')
    .option("-y, --yes", "trust an unknown host key on first use (same as --accept-new-host-key)")
    .option("--accept-new-host-key", "trust an unknown host key on first use and add it to ~/.ssh/known_hosts")
    .action(async (name: string, options: ReleasesOptions, self: Command) => {
      const out = cli.output(self);
      printReleases(out, await runReleases(cli, out, self, name, options));
    });
  return withExamples(command, ["wxdev releases s8013", "wxdev releases s8013 --json"]);
}
