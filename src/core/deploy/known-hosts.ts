import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/** What known_hosts says of a server's key. */
export type HostKeyStatus = "known" | "unknown" | "changed" | "revoked";

/** The name OpenSSH files a host under: `host`, or `[host]:port` off port 22. */
export function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type named inside an SSH public key blob (e.g. ssh-ed25519). */
export function keyType(key: Buffer): string {
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString("ascii");
}

/** The fingerprint OpenSSH prints: SHA256:<base64 without padding>. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

function matchesName(field: string, name: string): boolean {
  return field.split(",").some((entry) => {
    if (entry.startsWith("|1|")) {
      const [, , salt, hash] = entry.split("|");
      if (salt === undefined || hash === undefined) return false;
      return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
    }
    const pattern = entry.startsWith("!") ? entry.slice(1) : entry;
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    return regex.test(name) && !entry.startsWith("!");
  });
}

/** Looks a server's key up in known_hosts text (hashed and plain names, `[host]:port`, @revoked). */
export function checkHostKey(knownHosts: string, host: string, port: number, key: Buffer): HostKeyStatus {
  const name = hostPattern(host, port);
  const type = keyType(key);
  const blob = key.toString("base64");
  let sameTypeOther = false;
  let known = false;
  for (const raw of knownHosts.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith("@") ? fields.shift() : undefined;
    const [names, entryType, entryBlob] = fields;
    if (names === undefined || entryType === undefined || entryBlob === undefined || !matchesName(names, name)) continue;
    if (marker === "@cert-authority") continue;
    if (marker === "@revoked") {
      if (entryBlob === blob) return "revoked"; // wherever it stands, as OpenSSH reads it
      continue;
    }
    if (entryType === type && entryBlob === blob) known = true;
    else if (entryType === type) sameTypeOther = true;
  }
  return known ? "known" : sameTypeOther ? "changed" : "unknown";
}

/** Reads known_hosts, or "" when there is none yet. */
export function readKnownHosts(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** Appends the key as OpenSSH would (hashed name, like HashKnownHosts yes), so `ssh` and wxdev agree. */
export function addKnownHost(path: string, host: string, port: number, key: Buffer): void {
  const salt = randomBytes(20);
  const hash = createHmac("sha1", salt).update(hostPattern(host, port)).digest("base64");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const existing = readKnownHosts(path);
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${separator}|1|${salt.toString("base64")}|${hash} ${keyType(key)} ${key.toString("base64")}\n`, { mode: 0o600 });
}
