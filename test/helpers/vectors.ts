import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The public test vectors, the project's own copy (each vector names its source; see test/fixtures/README.md). */
export const VECTORS_PATH = fileURLToPath(new URL("../fixtures/wechat-vectors.json", import.meta.url));

export interface Vectors {
  signature: { token: string; timestamp: string; nonce: string; signature: string }[];
  msgSignature: { token: string; timestamp: string; nonce: string; encrypt: string; msgSignature: string }[];
  encrypt: { encodingAESKey: string; appId: string; random: string; plaintext: string; encrypt: string }[];
  decrypt: {
    token: string;
    encodingAESKey: string;
    appId: string;
    timestamp: string;
    nonce: string;
    encrypt: string;
    msgSignature: string;
    plaintext: string;
  }[];
  oauthAuthorizeUrl: { appId: string; redirectUri: string; scope: string; state: string; url: string }[];
  jsapiSignature: {
    source: string;
    ticket: string;
    nonceStr: string;
    timestamp: string;
    url: string;
    signature: string;
  }[];
}

export const vectors = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as Vectors;
