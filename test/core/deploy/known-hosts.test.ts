import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addKnownHost,
  checkHostKey,
  fingerprint,
  hostPattern,
  keyType,
  preferredHostKeyAlgorithms,
} from "../../../src/core/remote/ssh/known-hosts.js";
import { tempDirs } from "../../helpers/temp.js";

const temp = tempDirs();

function keypair(): { blob: Buffer; line: string } {
  const dir = temp("wxdev-key-");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
  const line = readFileSync(join(dir, "k.pub"), "utf8").trim();
  return { blob: Buffer.from(line.split(" ")[1]!, "base64"), line };
}

describe("known_hosts", () => {
  // ssh-keygen runs when the tests do, not when the file is collected
  let key: { blob: Buffer; line: string };
  let other: { blob: Buffer; line: string };
  beforeAll(() => {
    key = keypair();
    other = keypair();
  });

  it("reads plain, [host]:port and comma-separated names", () => {
    const [type, blob] = key.line.split(" ");
    expect(checkHostKey(`example.com,10.0.0.1 ${type} ${blob}\n`, "example.com", 22, key.blob)).toBe("known");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("known");
    // Off port 22 ssh also looks the host up without the port, and takes only that very key from it.
    expect(checkHostKey(`127.0.0.1 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("known");
    expect(checkHostKey(`127.0.0.1 ${other.line}\n`, "127.0.0.1", 2222, key.blob)).toBe("unknown");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 22, key.blob)).toBe("unknown");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${other.line.split(" ")[1]}\n`, "127.0.0.1", 2222, key.blob)).toBe(
      "changed",
    );
    expect(checkHostKey(`@revoked [127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("revoked");
    // A revocation wins wherever it stands, as OpenSSH reads the file.
    expect(
      checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n@revoked * ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob),
    ).toBe("revoked");
    expect(checkHostKey("", "h", 22, key.blob)).toBe("unknown");
  });

  it(
    "any other key listed for the host, of any type, is a changed key; a matching !pattern " +
      "drops the line; @cert-authority alone is named",
    () => {
      const [type, blob] = key.line.split(" ");
      expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n`, "h", 2222, key.blob)).toBe("changed");
      expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n[h]:2222 ${type} ${blob}\n`, "h", 2222, key.blob)).toBe(
        "known",
      );
      expect(checkHostKey(`*,!h ${type} ${blob}\n`, "h", 22, key.blob)).toBe("unknown");
      expect(checkHostKey(`*,!h ${other.line}\n`, "h", 22, key.blob)).toBe("unknown");
      expect(checkHostKey(`*,!g ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
      expect(checkHostKey(`@cert-authority *.example ${other.line}\n`, "h.example", 22, key.blob)).toBe(
        "cert-authority",
      );
      expect(checkHostKey(`@cert-authority * ${other.line}\nh ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
    },
  );

  it("asks first for the algorithms of the key types listed for the host", () => {
    const text =
      `[h]:2222 ssh-rsa AAAA\n[h]:2222 ${key.line}\nh ecdsa-sha2-nistp256 AAAA\n@cert-authority ` +
      `[h]:2222 ${other.line}\n`;
    expect(preferredHostKeyAlgorithms(text, "h", 2222)).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ssh-ed25519",
    ]);
    expect(preferredHostKeyAlgorithms(text, "g", 22)).toEqual([]);
  });

  it("writes hashed entries that OpenSSH's ssh-keygen -F finds, and reads OpenSSH's own hashed entries", () => {
    const dir = temp("wxdev-kh-");
    const path = join(dir, ".ssh", "known_hosts");
    addKnownHost(path, "127.0.0.1", 2222, key.blob);
    expect(execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", path], { encoding: "utf8" })).toContain(
      key.line.split(" ")[1],
    );
    expect(checkHostKey(readFileSync(path, "utf8"), "127.0.0.1", 2222, key.blob)).toBe("known");
    const plain = join(dir, "plain_hosts");
    writeFileSync(
      plain,
      `[h.example]:22 ${other.line.split(" ").slice(0, 2).join(" ")}\nexample.org ` +
        `${other.line.split(" ").slice(0, 2).join(" ")}\n`,
    );
    execFileSync("ssh-keygen", ["-H", "-f", plain], { stdio: "ignore" });
    expect(readFileSync(plain, "utf8")).toMatch(/^\|1\|/);
    expect(checkHostKey(readFileSync(plain, "utf8"), "example.org", 22, other.blob)).toBe("known");
  });

  it("names types and fingerprints as OpenSSH does", () => {
    expect(keyType(key.blob)).toBe("ssh-ed25519");
    const dir = temp("wxdev-fp-");
    writeFileSync(join(dir, "k.pub"), key.line);
    expect(execFileSync("ssh-keygen", ["-l", "-f", join(dir, "k.pub")], { encoding: "utf8" })).toContain(
      fingerprint(key.blob),
    );
    expect(hostPattern("h", 22)).toBe("h");
  });
});
