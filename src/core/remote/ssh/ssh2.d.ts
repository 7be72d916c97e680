// ssh2 ships no types; identities.ts declares the few parts it uses.
declare module "ssh2";
