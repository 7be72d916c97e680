import type { AppCheck } from "../../../core/deploy/gate.js";
import { InputError } from "../../../core/support/errors.js";
import type { ConnectFlags } from "../../remote/app-target.js";

/** deploy's flags as commander hands them over. */
export interface DeployFlags extends ConnectFlags {
  dryRun?: boolean;
  delete?: boolean;
  exec?: string;
  post: boolean;
  /**
   * true: back to the release live before the current one (by history); a string: that release;
   * false: --no-rollback.
   */
  rollback?: boolean | string;
  /** false: --no-start (deploy the files, leave the managed app as it runs). */
  start?: boolean;
  /** true: --check; false: --no-check; undefined: check when the server has checkUrl (not with --no-start). */
  check?: boolean;
}

/** What a deploy is asked to do, every input checked before connecting. */
export type DeployRequest =
  | {
      action: "rollback";
      to?: string;
      post: string | null | undefined;
      acceptNewHostKey: boolean;
      start: boolean;
      /** The handshake through checkUrl after the restart, when the Token is there (a rollback does not need it). */
      check?: AppCheck;
    }
  | {
      action: "deploy";
      dryRun: boolean;
      delete: boolean;
      /** Only these paths; undefined: the server's "files". */
      paths?: string[];
      /** null: no post-deploy command; undefined: the server's postDeploy. */
      post: string | null | undefined;
      acceptNewHostKey: boolean;
      /** false: --no-start. */
      start: boolean;
      /** false: --no-rollback (a release that does not come up stays live). */
      rollback: boolean;
      /** The signed handshake to do after deploying, when --check or the server's checkUrl asks for one. */
      check?: AppCheck;
    };

/** What --check needs: the server's checkUrl (never the local url, which would check the laptop) and the Token. */
export interface CheckInputs {
  checkUrl?: string;
  token?: string;
}

/**
 * Checks deploy's paths and flags against each other and against the check's inputs (pure: nothing is
 * read, nothing connects), so a refusal comes before the upload rather than after it.
 */
export function parseDeployArgs(paths: string[], flags: DeployFlags, inputs: CheckInputs): DeployRequest {
  const post = flags.post === false ? null : flags.exec;
  const acceptNewHostKey = flags.yes === true || flags.acceptNewHostKey === true;
  const start = flags.start !== false;
  const clash = (what: string, hint: string): never => {
    throw new InputError(`${what} cannot go together`, { hint });
  };
  if (flags.exec !== undefined && flags.post === false)
    clash("--no-post and --exec", "--exec replaces postDeploy for this run; --no-post runs nothing: pick one");
  if (flags.exec !== undefined && flags.dryRun)
    clash("--dry-run and --exec", "--dry-run runs nothing on the server; drop --exec to see the plan");
  if (flags.rollback !== undefined && flags.rollback !== false) {
    const clash = [flags.dryRun && "--dry-run", flags.delete && "--delete", paths.length > 0 && "paths"].filter(
      Boolean,
    );
    if (clash.length > 0)
      throw new InputError(`--rollback takes no ${clash.join(", ")}`, {
        hint: "run wxdev deploy <server> --rollback on its own (it switches back and runs postDeploy)",
      });
    const to = typeof flags.rollback === "string" ? flags.rollback : undefined;
    const { checkUrl: url, token } = inputs;
    const check = url && token && flags.check !== false ? { check: { url, token } } : {};
    return { action: "rollback", ...(to === undefined ? {} : { to }), post, acceptNewHostKey, start, ...check };
  }
  const dryRun = flags.dryRun === true;
  const request = {
    action: "deploy" as const,
    dryRun,
    delete: flags.delete === true,
    paths: paths.length > 0 ? paths : undefined,
    post,
    acceptNewHostKey,
    start,
    rollback: flags.rollback !== false,
  };
  // A dry run changes nothing, so there is nothing to check afterwards; --no-check and files only (--no-start)
  // check nothing unless --check asks.
  if (dryRun || flags.check === false || (flags.check !== true && !start)) return request;
  // Never the local url: a check that passes against the laptop says nothing about the server.
  const url = inputs.checkUrl;
  if (flags.check === true && (url === undefined || url === ""))
    throw new InputError(
      '--check needs "checkUrl" for this server (the app\'s public URL through nginx, e.g. http://HOST/wechat8013)',
      { hint: 'add "checkUrl" under the server in wxdev.config.json; the local "url" is never checked' },
    );
  if (url === undefined || url === "") return request;
  if (inputs.token === undefined || inputs.token === "")
    throw new InputError(`the check through checkUrl (${url}) needs the Token: nothing was deployed`, {
      hint:
        flags.check === true
          ? 'set WXDEV_TOKEN (or "token" in wxdev.config.json), or drop --check'
          : 'set WXDEV_TOKEN (or "token" in wxdev.config.json), or deploy without the check: --no-check',
    });
  return { ...request, check: { url, token: inputs.token } };
}
