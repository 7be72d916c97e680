import { CheckFailedError, InputError, type WxdevError } from "../../support/errors.js";
import { addKnownHost, checkHostKey, fingerprint, hostPattern, keyType, readKnownHosts } from "./known-hosts.js";

/** A host key known_hosts does not list yet, as shown to whoever decides whether to trust it. */
export interface HostKeyInfo {
  host: string;
  port: number;
  /** The key type, e.g. ssh-ed25519. */
  keyType: string;
  /** SHA256:… as OpenSSH prints it. */
  fingerprint: string;
  knownHostsPath: string;
}

/** How an unknown host key is decided, and where the known ones are. */
export interface HostKeyPolicy {
  knownHostsPath: string;
  /** Trust an unknown key on first use and record it, without asking. */
  acceptNewHostKey?: boolean;
  /** Asks whether to trust an unknown key; without it an unknown key is refused. */
  confirmHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** Told when an unknown key was trusted and added to known_hosts. */
  onHostKeyAdded?: (info: HostKeyInfo) => void;
}

/**
 * ssh2's hostVerifier for one server, as OpenSSH decides: a known key passes; a CHANGED or revoked one, or a host
 * vouched for only by a @cert-authority line, is refused; an unknown one is trusted on first use when the policy
 * says so. A refusal is reported through `refuse`, since ssh2 only learns "no".
 */
export function hostKeyVerifier(
  host: string,
  port: number,
  policy: HostKeyPolicy,
  refuse: (error: WxdevError) => void,
): (key: Buffer, verify: (ok: boolean) => void) => void {
  const { knownHostsPath } = policy;
  return (key, verify) => {
    const status = checkHostKey(readKnownHosts(knownHostsPath), host, port, key);
    const info: HostKeyInfo = { host, port, keyType: keyType(key), fingerprint: fingerprint(key), knownHostsPath };
    const shown = `${info.keyType} ${info.fingerprint}`;
    const no = (error: WxdevError): void => {
      refuse(error);
      verify(false);
    };
    const trust = (): void => {
      addKnownHost(knownHostsPath, host, port, key);
      policy.onHostKeyAdded?.(info);
      verify(true);
    };
    if (status === "known") return verify(true);
    if (status === "changed" || status === "revoked")
      return no(
        new CheckFailedError(
          `WARNING: the host key of ${host}:${port} has ${status === "changed" ? "CHANGED" : "been REVOKED"}` +
            ` (now ${shown}); refusing to connect`,
          {
            hint:
              "someone may be intercepting the connection. If the server was really reinstalled," +
              ` remove its old line from ${knownHostsPath} (ssh-keygen -R '${hostPattern(host, port)}')`,
            code: "HOST_KEY_CHANGED",
          },
        ),
      );
    if (status === "cert-authority")
      return no(
        new InputError(
          `${knownHostsPath} vouches for ${host}:${port} only with @cert-authority,` +
            ` and host certificates are not supported by wxdev (it offered ${shown})`,
          {
            hint:
              "check that fingerprint with the server's admin, then add the server's own key:" +
              ` ssh-keyscan -p ${port} ${host} >> ${knownHostsPath}`,
          },
        ),
      );
    if (policy.acceptNewHostKey) return trust();
    if (policy.confirmHostKey === undefined)
      return no(
        new InputError(`the host key of ${host}:${port} is unknown (${shown})`, {
          hint: "check the fingerprint with the server's admin, then ssh to it once, or run again trusting a new key",
          input: "acceptNewHostKey",
        }),
      );
    policy.confirmHostKey(info).then(
      (yes) =>
        yes
          ? trust()
          : no(
              new InputError("host key not accepted", {
                hint: "compare the fingerprint with the server's, then answer yes",
              }),
            ),
      (error: unknown) => no(new InputError(`host key not confirmed: ${String(error)}`)),
    );
  };
}
