import { InputError } from "../core/errors.js";

/** deploy's flags as commander hands them over. */
export interface DeployFlags {
  dryRun?: boolean;
  delete?: boolean;
  exec?: string;
  post: boolean;
  yes?: boolean;
  acceptNewHostKey?: boolean;
  rollback?: boolean;
  check?: boolean;
}

/** What a deploy is asked to do, every input checked before connecting. */
export type DeployRequest =
  | { action: "rollback"; post: string | null | undefined; acceptNewHostKey: boolean }
  | {
      action: "deploy";
      dryRun: boolean;
      delete: boolean;
      /** Only these paths; undefined: the server's "files". */
      paths?: string[];
      /** null: no post-deploy command; undefined: the server's postDeploy. */
      post: string | null | undefined;
      acceptNewHostKey: boolean;
      /** The signed handshake to do after deploying, when --check or the server's checkUrl asks for one. */
      check?: { url: string; token: string };
    };

/** Where --check looks: the server's checkUrl, else the url and token settings. */
export interface CheckInputs {
  checkUrl?: string;
  url?: string;
  token?: string;
}

/**
 * Checks deploy's paths and flags against each other and against the check's inputs (pure: nothing is
 * read, nothing connects), so a refusal comes before the upload rather than after it.
 */
export function parseDeployArgs(paths: string[], flags: DeployFlags, inputs: CheckInputs): DeployRequest {
  const post = flags.post === false ? null : flags.exec;
  const acceptNewHostKey = flags.yes === true || flags.acceptNewHostKey === true;
  if (flags.rollback) {
    const clash = [flags.dryRun && "--dry-run", flags.delete && "--delete", paths.length > 0 && "paths"].filter(
      Boolean,
    );
    if (clash.length > 0)
      throw new InputError(`--rollback takes no ${clash.join(", ")}`, {
        hint: "run wxdev deploy <server> --rollback on its own (it switches back and runs postDeploy)",
      });
    return { action: "rollback", post, acceptNewHostKey };
  }
  const dryRun = flags.dryRun === true;
  const request = {
    action: "deploy" as const,
    dryRun,
    delete: flags.delete === true,
    paths: paths.length > 0 ? paths : undefined,
    post,
    acceptNewHostKey,
  };
  // A dry run changes nothing, so there is nothing to check afterwards.
  if (dryRun || (flags.check !== true && inputs.checkUrl === undefined)) return request;
  const url = inputs.checkUrl ?? inputs.url;
  if (url === undefined || url === "" || inputs.token === undefined || inputs.token === "")
    throw new InputError("--check needs checkUrl (or WXDEV_URL) and the Token (WXDEV_TOKEN)", {
      hint: 'set "checkUrl" on the server in wxdev.config.json (or WXDEV_URL) and WXDEV_TOKEN; nothing was deployed',
    });
  return { ...request, check: { url, token: inputs.token } };
}
