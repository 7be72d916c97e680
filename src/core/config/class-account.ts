/**
 * The class's shared server names each account after its app's port: account s8013 runs its app on port 8013,
 * which the server's nginx reaches at /wechat8013. Every part of wxdev that follows the rule asks here.
 */
const ACCOUNT_NAME = /^s(\d{2,5})$/;

/** The port an account's name carries (s8013 → 8013), or undefined for any other name. */
export function portInName(name: string): number | undefined {
  const digits = ACCOUNT_NAME.exec(name)?.[1];
  return digits !== undefined && Number(digits) < 65536 ? Number(digits) : undefined;
}

/** A server's app port: its "appPort", else the port its name carries; undefined when neither says. */
export function appPortFor(name: string, appPort: number | undefined): number | undefined {
  return appPort ?? portInName(name);
}

/** The callback path nginx maps to an app's port: /wechat8013 for 8013. */
export function callbackPath(port: number): string {
  return `/wechat${port}`;
}
