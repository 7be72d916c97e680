/**
 * ssh-keygen's options that set a key's passphrase, with one round of its KDF (-a 1): ssh2 decrypts a key in
 * JavaScript, and the rounds change only what that costs, not the path wxdev takes.
 */
export function passphraseOptions(passphrase: string): string[] {
  return ["-a", "1", "-N", passphrase];
}
