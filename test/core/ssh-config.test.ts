import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/core/config/file.js";
import { DEFAULT_IDENTITIES, resolveLogin } from "../../src/core/remote/ssh/ssh-config.js";
import { skipReason } from "../helpers/skips.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const sshMissing = skipReason(
  spawnSync("ssh", ["-V"]).error ? "ssh not found (apt-get install openssh-client)" : undefined,
);
if (sshMissing) console.warn(`skipping the ~/.ssh/config comparisons with ssh -G: ${sshMissing}`);

/** The ~/.ssh/config of a student who logs in with `ssh s8013` and `ssh classbox`. */
const CONFIG = `# written by hand
Host classbox
  HostName 10.0.0.5
  User tom
  Port 2222
  IdentityFile ~/.ssh/class_key

Host s8013
  HostName 101.200.170.171
  Port 2200
  IdentityFile ~/.ssh/s8013_key

Match host 101.200.170.171
  User s8013

Host *.example
  HostName %h.internal

Host *
  IdentityFile ~/.ssh/any_key
`;

function homeWith(config: string): string {
  const home = temp("wxdev-ssh-config-");
  mkdirSync(join(home, ".ssh"));
  writeFileSync(join(home, ".ssh", "config"), config);
  return home;
}

/** What OpenSSH makes of the same file: `ssh -G` prints the options it would use (~ expanded here). */
function openssh(home: string, command: string[]): Record<string, string[]> {
  const result = spawnSync("ssh", ["-G", "-F", join(home, ".ssh", "config"), ...command], { encoding: "utf8" });
  const options: Record<string, string[]> = {};
  for (const line of result.stdout.split("\n")) {
    const [key = "", ...value] = line.split(" ");
    options[key] = [...(options[key] ?? []), value.join(" ").replace(/^~\//, `${home}/`)];
  }
  return options;
}

const localUser = userInfo().username;

describe("resolveLogin: ~/.ssh/config read as ssh reads it", () => {
  // [what, the server in wxdev.config.json (flags merged in), its name, the ssh command line that means the same]
  const cases: [string, Partial<ServerConfig>, string, string[]][] = [
    ["a Host alias: HostName, User, Port, IdentityFile", { host: "classbox" }, "s1", ["classbox"]],
    ["Match host on the HostName; Host * adds its IdentityFile", { host: "s8013" }, "s1", ["s8013"]],
    [
      "the entry named after the server, its HostName the host (init's config), is the student's `ssh s8013`",
      { host: "101.200.170.171", username: "s8013" },
      "s8013",
      ["s8013"],
    ],
    ["%h in HostName", { host: "box.example" }, "s1", ["box.example"]],
    ["no Host entry of its own: port 22, the local user, Host *'s key", { host: "h.test" }, "s1", ["h.test"]],
    [
      "port and username from wxdev.config.json or the flags win (ssh -p, -l)",
      { host: "classbox", port: 2022, username: "bob" },
      "s1",
      ["-p", "2022", "-l", "bob", "classbox"],
    ],
  ];

  it.skipIf(sshMissing !== undefined).each(cases)("%s: as ssh -G says", async (_what, given, name, command) => {
    const home = homeWith(CONFIG);
    const login = await resolveLogin({ remoteDir: "~/app", ...given } as ServerConfig, { home, localUser, name });
    const ssh = openssh(home, command);
    expect(login).toMatchObject({
      host: ssh.hostname?.[0],
      port: Number(ssh.port?.[0]),
      username: ssh.user?.[0],
      identityFiles: ssh.identityfile,
    });
  });

  it.skipIf(sshMissing !== undefined)(
    "no IdentityFile anywhere: ssh's default files, less those ssh2 cannot use",
    async () => {
      const home = homeWith("Host other\n  Port 2\n");
      const login = await resolveLogin({ host: "h.test", remoteDir: "~/a" }, { home, localUser });
      const defaults = openssh(home, ["h.test"]).identityfile ?? [];
      expect(defaults).toHaveLength(7);
      expect(login.identityFiles).toEqual(defaults.filter((path) => /\/id_(rsa|ecdsa|ed25519)$/.test(path)));
      expect(login.identitiesNamed).toBe(false);
    },
  );

  it("privateKey (or -i) replaces the IdentityFile list; IdentitiesOnly is read; %d %h %r %u expand", async () => {
    const home = homeWith("Host box\n  HostName 10.1.1.1\n  IdentityFile %d/keys/%h-%r-%u\n  IdentitiesOnly yes\n");
    const tokens = await resolveLogin({ host: "box", username: "tom", remoteDir: "~/a" }, { home, localUser: "me" });
    expect(tokens).toMatchObject({
      host: "10.1.1.1",
      identityFiles: [`${home}/keys/10.1.1.1-tom-me`],
      identitiesNamed: true,
      identitiesOnly: true,
    });
    const named = await resolveLogin(
      { host: "box", username: "tom", remoteDir: "~/a", privateKey: "~/mine" },
      { home, localUser: "me" },
    );
    expect(named.identityFiles).toEqual([`${home}/mine`]);
  });

  it("no ~/.ssh/config: the config's values and ssh's defaults; no user anywhere is an error", async () => {
    const home = temp("wxdev-no-ssh-config-");
    const login = await resolveLogin({ host: "h.test", remoteDir: "~/a" }, { home, localUser: "me" });
    expect(login).toEqual({
      host: "h.test",
      port: 22,
      username: "me",
      identityFiles: DEFAULT_IDENTITIES.map((file) => join(home, ".ssh", file)),
      identitiesNamed: false,
      identitiesOnly: false,
    });
    await expect(resolveLogin({ host: "h.test", remoteDir: "~/a" }, { home })).rejects.toThrow(
      /no user name to log in to h\.test as/,
    );
  });

  it("a bad Port in ~/.ssh/config is one error naming the file", async () => {
    const home = homeWith("Host box\n  Port eighty\n");
    await expect(resolveLogin({ host: "box", username: "u", remoteDir: "~/a" }, { home })).rejects.toThrow(
      `${home}/.ssh/config: Port "eighty" is not a port number (1-65535)`,
    );
  });
});
