import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * What known_hosts says of a server's key; "cert-authority": the host is vouched for only by a CA line, which needs
 * a host certificate.
 */
export type HostKeyStatus = "known" | "unknown" | "changed" | "revoked" | "cert-authority";

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

interface KnownHostLine {
  marker: string | undefined;
  names: string;
  type: string;
  blob: string;
}

function parse(knownHosts: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  for (const raw of knownHosts.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith("@") ? fields.shift() : undefined;
    const [names, type, blob] = fields;
    if (names !== undefined && type !== undefined && blob !== undefined) lines.push({ marker, names, type, blob });
  }
  return lines;
}

function globMatches(pattern: string, name: string): boolean {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(name);
}

/**
 * OpenSSH's match_hostname: a hashed field (`|1|salt|hash`) is one name; otherwise a comma list
 * of patterns where one matching negated pattern (`!host`) makes the whole line not match.
 */
function matchesName(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (salt === undefined || hash === undefined) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let positive = false;
  for (const entry of field.split(",")) {
    const negated = entry.startsWith("!");
    if (!globMatches(negated ? entry.slice(1) : entry, name)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/**
 * The status under one name, as OpenSSH's check_hostkeys_by_key_or_type: any listed key that is not this one means
 * changed.
 */
function lookUp(knownHosts: string, name: string, key: Buffer): HostKeyStatus {
  const type = keyType(key);
  const blob = key.toString("base64");
  const lines = parse(knownHosts).filter((line) => matchesName(line.names, name));
  // Revoked wherever it stands, as OpenSSH reads it.
  if (lines.some((line) => line.marker === "@revoked" && line.blob === blob)) return "revoked";
  const plain = lines.filter((line) => line.marker === undefined);
  if (plain.some((line) => line.type === type && line.blob === blob)) return "known";
  if (plain.length > 0) return "changed";
  return lines.some((line) => line.marker === "@cert-authority") ? "cert-authority" : "unknown";
}

/**
 * Looks a server's key up in known_hosts text (hashed and plain names, negated patterns, `[host]:port`,
 * @revoked, @cert-authority). Off port 22 a host with no entry of its own is also looked up without
 * the port, and accepted when that lists this very key ("found matching key w/out port", as ssh does).
 */
export function checkHostKey(knownHosts: string, host: string, port: number, key: Buffer): HostKeyStatus {
  const status = lookUp(knownHosts, hostPattern(host, port), key);
  if ((status === "unknown" || status === "cert-authority") && port !== 22 && lookUp(knownHosts, host, key) === "known")
    return "known";
  return status;
}

/** The SSH host key algorithms that produce each known_hosts key type. */
const ALGORITHMS: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/**
 * The host key algorithms to ask for first, for the key types known_hosts lists for this host
 * (OpenSSH's order_hostkeyalgs), so a server with several keys offers one we can check.
 */
export function preferredHostKeyAlgorithms(knownHosts: string, host: string, port: number): string[] {
  const name = hostPattern(host, port);
  const types = parse(knownHosts)
    .filter((line) => line.marker === undefined && matchesName(line.names, name))
    .map((line) => line.type);
  return [...new Set(types.flatMap((type) => ALGORITHMS[type] ?? []))];
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
  appendFileSync(
    path,
    `${separator}|1|${salt.toString("base64")}|${hash} ${keyType(key)} ${key.toString("base64")}\n`,
    { mode: 0o600 },
  );
}
