import { appPortFor, callbackPath } from "../config/class-account.js";
import { InputError } from "../support/errors.js";

export interface NginxOptions {
  /** The server's name in the config, e.g. s8013. */
  name: string;
  appPort?: number;
  /** A complete nginx.conf for a local try-out instead of the location blocks. */
  full?: boolean;
  /** Port of the try-out server (default 80). */
  listen?: number;
}

/** The app port: `appPort`, or the digits of an `s80xx` server name. */
export function appPortOf(name: string, appPort?: number): number {
  const port = appPortFor(name, appPort);
  if (port !== undefined) return port;
  throw new InputError(`servers.${name} has no appPort`, {
    hint: `add "appPort": 8013 (the port the app listens on) to servers.${name} in wxdev.config.json`,
  });
}

const PROXY = (port: number): string => `    proxy_pass http://127.0.0.1:${port};
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 2s;
    proxy_send_timeout 5s;
    proxy_read_timeout 5s;`;

/**
 * The location blocks mapping /wechatPORT to 127.0.0.1:PORT, free of the trailing-slash traps:
 * an exact match (no 301 to /wechatPORT/, which WeChat does not follow), a sub-path prefix that
 * cannot match /wechatPORT0, and proxy_pass without a URI so the path reaches the app unchanged.
 */
export function nginxLocations(port: number): string {
  const path = callbackPath(port);
  return `# wxdev: ${path} -> the app on 127.0.0.1:${port} (5 s timeouts, like WeChat's)
location = ${path} {
${PROXY(port)}
}
location ^~ ${path}/ {
${PROXY(port)}
}
`;
}

/** The text `wxdev nginx` prints. */
export function nginxConfig(options: NginxOptions): string {
  const port = appPortOf(options.name, options.appPort);
  const locations = nginxLocations(port);
  if (!options.full) return locations;
  const indented = locations
    .trimEnd()
    .split("\n")
    .map((line) => `        ${line}`)
    .join("\n");
  return `# A complete nginx.conf to try the mapping locally:
#   mkdir -p /tmp/wxdev-nginx && wxdev nginx ${options.name} --full > /tmp/wxdev-nginx/nginx.conf
#   nginx -p /tmp/wxdev-nginx -c /tmp/wxdev-nginx/nginx.conf -t
worker_processes 1;
pid nginx.pid;
error_log stderr warn;
events {
    worker_connections 256;
}
http {
    access_log off;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    server {
        listen ${options.listen ?? 80};
        server_name _;
${indented}
    }
}
`;
}
