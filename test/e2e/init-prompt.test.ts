import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { terminal, tmuxMissing } from "../helpers/tmux.js";
import { tempDirs } from "../helpers/temp.js";

const missing = tmuxMissing();
if (missing && process.env.CI) throw new Error(`in CI nothing may skip: ${missing}`);
if (missing) console.warn(`skipping the init prompt test: ${missing}`);

const temp = tempDirs();
const { tmux, waitFor, kill: killTerminal } = terminal("wxdev-init");

describe.skipIf(missing !== undefined)("wxdev init on a terminal", () => {
  afterAll(() => {
    killTerminal();
  });

  it("asks the account, host, SSH port and Token (hidden), each again after a bad one; writes the project", async () => {
    const dir = temp("wxdev-init-tty-");
    const env = `env -i PATH=${JSON.stringify(process.env.PATH ?? "")} HOME=${dir} NO_COLOR=1 TERM=xterm`;
    const command = `${env} ${process.execPath} ${BIN} init app; echo "exit=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", "init", "-x", "200", "-y", "50", "-c", dir, command);
    await waitFor("init", /Class account \(e\.g\. s8013\): $/m);
    tmux("send-keys", "-t", "init", "s8013", "Enter");
    await waitFor("init", /Server host name or IP: $/m);
    tmux("send-keys", "-t", "init", "http://example.com/wechat8013", "Enter");
    await waitFor("init", /is not a host name: give the server's name or IP address alone, e\.g\. example\.com/);
    await waitFor("init", /Server host name or IP: $/m);
    tmux("send-keys", "-t", "init", "example.com", "Enter");
    await waitFor("init", /SSH port \(Enter for 22\): $/m);
    tmux("send-keys", "-t", "init", "twenty-two", "Enter");
    await waitFor("init", /"twenty-two" is not a port number: give 1-65535, or Enter/);
    await waitFor("init", /SSH port \(Enter for 22\): $/m);
    tmux("send-keys", "-t", "init", "2222", "Enter");
    await waitFor("init", /Token \(hidden; Enter to skip and set WXDEV_TOKEN later\): $/m);
    tmux("send-keys", "-t", "init", "my-token!", "Enter"); // a typo is asked again, not the end of init
    await waitFor("init", /the Token is not 3–32 letters and digits \(it has 9 characters\)/);
    await waitFor("init", /Token \(hidden; Enter to skip and set WXDEV_TOKEN later\): $/m);
    tmux("send-keys", "-t", "init", "typedSecret99", "Enter");
    const text = await waitFor("init", /exit=\d+/);
    expect(text).toMatch(/exit=0/);
    expect(text).not.toContain("typedSecret99");
    expect(text).not.toContain("my-token!");
    expect(text).toContain("ty********99 (13 chars)");
    expect(readdirSync(join(dir, "app")).sort()).toEqual([
      ".gitignore",
      "requirements.txt",
      "wechat.py",
      "wxdev.config.json",
    ]);
    const config = JSON.parse(readFileSync(join(dir, "app", "wxdev.config.json"), "utf8"));
    expect(config.servers.s8013).toMatchObject({ host: "example.com", port: 2222, username: "s8013", appPort: 8013 });
    // The next steps log in with wxdev, which takes the port from the config.
    expect(text).toContain("wxdev ssh s8013   then   mkvirtualenv wechat");
  }, 40_000);

  it("Ctrl-C at the hidden Token prompt stops init: exit 130, nothing written", async () => {
    const dir = temp("wxdev-init-tty-");
    const env = `env -i PATH=${JSON.stringify(process.env.PATH ?? "")} HOME=${dir} NO_COLOR=1 TERM=xterm`;
    const command = `${env} ${process.execPath} ${BIN} init app --account s8013 --host example.com --port 22; echo "exit=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", "interrupt", "-x", "200", "-y", "50", "-c", dir, command);
    await waitFor("interrupt", /Token \(hidden; Enter to skip and set WXDEV_TOKEN later\): $/m);
    tmux("send-keys", "-t", "interrupt", "C-c");
    const text = await waitFor("interrupt", /exit=\d+/);
    expect(text).toMatch(/exit=130/);
    expect(readdirSync(dir)).toEqual([]);
  }, 40_000);
});
