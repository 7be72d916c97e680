import { CONFIG_FILE_NAME, type ServerConfig, type WxdevConfig } from "../config/file.js";
import { callbackPath, portInName } from "../config/class-account.js";
import { InputError } from "../support/errors.js";
import { wechatPy } from "./wechat-py.js";

/** What `wxdev init` asks for: the class account (s8013) and the shared host. */
export interface ProjectOptions {
  account: string;
  host: string;
  /** The virtualenvwrapper name the app runs in on the server (default "wechat"). */
  venv?: string;
  /** The SSH port. 22, ssh's own default, is left out, so a Port in ~/.ssh/config still applies. */
  port?: number;
  /** The wxdev.config.json already there (init --force): whatever init does not write in it is kept. */
  existing?: WxdevConfig;
}

/** One file of the scaffold, relative to the project folder. */
export interface PlannedFile {
  path: string;
  content: string;
}

/** The scaffold: its files, and the facts the next steps name. */
export interface ProjectPlan {
  files: PlannedFile[];
  account: string;
  host: string;
  appPort: number;
  /** The callback path nginx maps to the app, e.g. /wechat8013. */
  path: string;
  /** Where the app answers when run locally. */
  localUrl: string;
  /** The URL to give the platform (through the class's nginx). */
  publicUrl: string;
  venv: string;
  /** The SSH port written to the config (a hand-added one kept), when not 22. */
  port?: number;
  /** What the existing wxdev.config.json had that init keeps (key paths, e.g. servers.s8013.port). */
  kept: string[];
}

/** The app's port from a class account name: s8013 → 8013. */
export function accountPort(account: string): number {
  const port = portInName(account);
  if (port === undefined || port < 1024) {
    throw new InputError(`account ${JSON.stringify(account)} is not a class account name`, {
      hint: "give the SSH account on the class server: s and the app's port, e.g. s8013",
    });
  }
  return port;
}

/** Checks a host name or IP address as SSH and a URL take it: no scheme, path, port or spaces. */
export function checkHost(host: string): string {
  const trimmed = host.trim();
  if (/^[A-Za-z0-9.-]+$/.test(trimmed) && !trimmed.startsWith("-")) return trimmed;
  let suggestion = "101.200.170.171";
  try {
    suggestion = new URL(trimmed.includes("://") ? trimmed : `http://${trimmed}`).hostname || suggestion;
  } catch {
    // no host to suggest: keep the example
  }
  throw new InputError(`host ${JSON.stringify(host)} is not a host name`, {
    hint: `give the server's name or IP address alone, e.g. ${suggestion}`,
  });
}

/** The files planProject makes, in the order it lists them. */
export const PROJECT_FILES: readonly string[] = ["wechat.py", "requirements.txt", ".gitignore", CONFIG_FILE_NAME];

const REQUIREMENTS = "flask\nxmltodict\n";

const GITIGNORE = `# virtualenvs and Python's caches
venv/
.venv/
env/
__pycache__/
*.pyc
# wxdev tunnel --record recordings hold your users' messages: not for git, not for deploy
*.ndjson
# ${CONFIG_FILE_NAME} as wxdev init writes it holds no secret; list it here if you add a token or appSecret to it.
`;

/** The server entry `wxdev deploy/start/status/nginx` read, as the class's conventions (protocol §7) make it. */
function serverEntry(
  account: string,
  host: string,
  port: number | undefined,
  appPort: number,
  venv: string,
  path: string,
): ServerConfig {
  return {
    host,
    ...(port === undefined || port === 22 ? {} : { port }),
    username: account,
    remoteDir: "~/wechat",
    venv,
    start: "python wechat.py",
    appPort,
    checkUrl: `http://${host}${path}`,
  };
}

/**
 * The config init writes over the one already there: init's own keys are replaced, every other key (a hand-added
 * port or privateKey, another server, an appId) is kept, and listed. A port given to init replaces the old one.
 */
function overExisting(
  planned: WxdevConfig,
  existing: WxdevConfig | undefined,
  account: string,
  portGiven: boolean,
): { config: WxdevConfig; kept: string[] } {
  if (existing === undefined) return { config: planned, kept: [] };
  const ownKeys = new Set([...Object.keys(planned.servers?.[account] ?? {}), ...(portGiven ? ["port"] : [])]);
  const oldEntry = existing.servers?.[account] ?? {};
  const keptEntry = Object.entries(oldEntry).filter(([key]) => !ownKeys.has(key));
  const keptTop = Object.entries(existing).filter(([key]) => key !== "url" && key !== "servers");
  const otherServers = Object.entries(existing.servers ?? {}).filter(([name]) => name !== account);
  return {
    config: {
      ...planned,
      ...Object.fromEntries(keptTop),
      servers: {
        ...Object.fromEntries(otherServers),
        [account]: { ...planned.servers?.[account], ...Object.fromEntries(keptEntry) } as ServerConfig,
      },
    },
    kept: [
      ...keptEntry.map(([key]) => `servers.${account}.${key}`),
      ...otherServers.map(([name]) => `servers.${name}`),
      ...keptTop.map(([key]) => key),
    ],
  };
}

/** Plans the class's project: wechat.py, requirements.txt, .gitignore and wxdev.config.json. Writes nothing. */
export function planProject(options: ProjectOptions): ProjectPlan {
  const account = options.account.trim();
  const appPort = accountPort(account);
  const host = checkHost(options.host);
  const venv = checkVenv(options.venv ?? "wechat");
  const path = callbackPath(appPort);
  const localUrl = `http://127.0.0.1:${appPort}${path}`;
  const planned: WxdevConfig = {
    url: localUrl,
    servers: { [account]: serverEntry(account, host, options.port, appPort, venv, path) },
  };
  const { config, kept } = overExisting(planned, options.existing, account, options.port !== undefined);
  return {
    files: [
      { path: "wechat.py", content: wechatPy({ appPort, path }) },
      { path: "requirements.txt", content: REQUIREMENTS },
      { path: ".gitignore", content: GITIGNORE },
      { path: CONFIG_FILE_NAME, content: `${JSON.stringify(config, null, 2)}\n` },
    ],
    account,
    host,
    appPort,
    path,
    localUrl,
    publicUrl: `http://${host}${path}`,
    venv,
    port: config.servers?.[account]?.port,
    kept,
  };
}

/** The platform's rule for a Token: 3–32 letters and digits (it refuses anything else when the URL is saved). */
export function checkToken(token: string): string {
  if (/^[A-Za-z0-9]{3,32}$/.test(token)) return token;
  throw new InputError(`the Token is not 3–32 letters and digits (it has ${token.length} characters)`, {
    hint: "use the Token exactly as the platform accepts it: English letters and digits, 3 to 32 of them",
  });
}

/** A virtualenvwrapper name as the config's "venv" takes it: no spaces. */
export function checkVenv(venv: string): string {
  if (/^\S+$/.test(venv)) return venv;
  throw new InputError(`venv ${JSON.stringify(venv)} has spaces`, { hint: "give its name, e.g. wechat" });
}
