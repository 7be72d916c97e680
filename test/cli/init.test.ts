import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/core/config/file.js";
import { listProject } from "../../src/core/deploy/manifest.js";
import { remoteLayout } from "../../src/core/remote/layout.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const FLAGS = ["--account", "s8013", "--host", "101.200.170.171"];
const FILES = [".gitignore", "requirements.txt", "wechat.py", "wxdev.config.json"];

describe("wxdev init", () => {
  it("writes the four files; the config is what deploy, start, nginx and check read", async () => {
    const dir = temp("wxdev-init-");
    const result = await runMain(["init", ...FLAGS], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    for (const file of FILES) expect(result.stdout).toContain(`wrote ${file}`);
    expect(result.stdout).toMatch(/wxdev check/);
    expect(result.stdout).toMatch(/wxdev deploy s8013/);
    expect(result.stdout).toMatch(/wxdev start s8013/);
    expect(result.stdout).toContain("http://101.200.170.171/wechat8013");

    // The real loader validates every key and type; the entry holds what the server commands need.
    const { config } = loadConfig({ cwd: dir });
    expect(config.url).toBe("http://127.0.0.1:8013/wechat8013");
    expect(config.servers?.s8013).toEqual({
      host: "101.200.170.171",
      username: "s8013",
      remoteDir: "~/wechat",
      venv: "wechat",
      start: "python wechat.py",
      appPort: 8013,
      checkUrl: "http://101.200.170.171/wechat8013",
    });
    expect(remoteLayout(config.servers?.s8013?.remoteDir ?? "").live).toContain("wechat");
    // The server commands resolve it by name through the same path `deploy` and `start` take.
    const nginx = await runMain(["nginx", "s8013"], { cwd: dir });
    expect(nginx.code, nginx.stderr).toBe(0);
    expect(nginx.stdout).toContain("location = /wechat8013 {");
    expect(nginx.stdout).toContain("proxy_pass http://127.0.0.1:8013;");

    const app = readFileSync(join(dir, "wechat.py"), "utf8");
    expect(app).toContain('app.run(host="127.0.0.1", port=PORT, request_handler=RequestLog)');
    expect(app).toContain("PORT = 8013");
    expect(app).toContain('PATH = "/wechat8013"');
    expect(app).toContain("hmac.compare_digest");
    expect(readFileSync(join(dir, "requirements.txt"), "utf8").split("\n")).toEqual(["flask", "xmltodict", ""]);
    const ignored = readFileSync(join(dir, ".gitignore"), "utf8").split("\n");
    for (const pattern of ["venv/", ".venv/", "__pycache__/", "*.pyc"]) expect(ignored).toContain(pattern);
  });

  it("a tunnel --record recording in the project is not deployed (it holds users' messages)", async () => {
    const dir = temp("wxdev-init-");
    expect((await runMain(["init", ...FLAGS], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, "today.ndjson"), '{"path":"/wechat8013"}\n');
    const deployed = await listProject({ root: dir });
    expect(deployed).toContain("wechat.py");
    expect(deployed).not.toContain("today.ndjson");
  });

  it("writes the Token to no file and shows it masked; the app reads it from the environment", async () => {
    const dir = temp("wxdev-init-");
    const token = "SecretTok3n42";
    const result = await runMain(["init", ...FLAGS, "--token", token], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    for (const file of FILES) expect(readFileSync(join(dir, file), "utf8")).not.toContain(token);
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.stdout).toContain("Se********42 (13 chars)");
    expect(readFileSync(join(dir, "wechat.py"), "utf8")).toContain('os.environ.get("WECHAT_TOKEN")');
  });

  it("a dir argument is made if missing; --json says what was written", async () => {
    const dir = temp("wxdev-init-");
    const result = await runMain(["init", "nested/app", ...FLAGS, "--json"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ ok: true, dir: join(dir, "nested/app"), account: "s8013", appPort: 8013 });
    expect(parsed.files.sort()).toEqual(FILES);
    expect(readdirSync(join(dir, "nested/app")).sort()).toEqual(FILES);
  });

  it("never overwrites: names the files and --force, and writes nothing at all", async () => {
    const dir = temp("wxdev-init-");
    writeFileSync(join(dir, "wechat.py"), "my own work\n");
    writeFileSync(join(dir, "wxdev.config.json"), "{}\n");
    const refused = await runMain(["init", ...FLAGS], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/wechat\.py, wxdev\.config\.json already exist in .*: nothing was written/);
    expect(refused.stderr).toContain("--force");
    expect(readdirSync(dir).sort()).toEqual(["wechat.py", "wxdev.config.json"]);
    expect(readFileSync(join(dir, "wechat.py"), "utf8")).toBe("my own work\n");

    const forced = await runMain(["init", ...FLAGS, "--force"], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, "wechat.py"), "utf8")).toContain("hmac.compare_digest");
    expect(readdirSync(dir).sort()).toEqual(FILES);
  });

  it("temporaries are never written through a planted link (predictable names), with or without --force", async () => {
    const dir = temp("wxdev-init-");
    const victim = join(temp("wxdev-victim-"), "only-mine");
    writeFileSync(victim, "precious\n", { mode: 0o600 });
    // What a classmate could plant in a shared folder, for every name a temporary had before.
    for (const file of FILES) symlinkSync(victim, join(dir, `${file}.wxdev-${process.pid}.tmp`));
    for (const args of [FLAGS, [...FLAGS, "--force"]]) {
      const result = await runMain(["init", ...args], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(victim, "utf8")).toBe("precious\n");
    }
    expect(
      readdirSync(dir)
        .filter((name) => !name.endsWith(".tmp"))
        .sort(),
    ).toEqual(FILES);
    // The links are the planter's to remove; wxdev left no temporary of its own.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toHaveLength(FILES.length);
  });

  it("a link at a target is replaced by the file with --force, never written through", async () => {
    const dir = temp("wxdev-init-");
    const victim = join(temp("wxdev-victim-"), "only-mine");
    writeFileSync(victim, "precious\n", { mode: 0o600 });
    symlinkSync(victim, join(dir, "wechat.py"));
    const refused = await runMain(["init", ...FLAGS], { cwd: dir });
    expect(refused.code).toBe(2);
    const forced = await runMain(["init", ...FLAGS, "--force"], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(lstatSync(join(dir, "wechat.py")).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("--port sets the SSH port (22, ssh's default, is left out so ~/.ssh/config's Port applies)", async () => {
    const dir = temp("wxdev-init-");
    const result = await runMain(["init", ...FLAGS, "--port", "2222"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(loadConfig({ cwd: dir }).config.servers?.s8013?.port).toBe(2222);
    // The next steps log in with wxdev, which takes the port from the config: no port to copy by hand.
    expect(result.stdout).toContain("wxdev ssh s8013   then   mkvirtualenv wechat");
    const plain = temp("wxdev-init-");
    expect((await runMain(["init", ...FLAGS, "--port", "22"], { cwd: plain })).code).toBe(0);
    expect(loadConfig({ cwd: plain }).config.servers?.s8013).not.toHaveProperty("port");
    const bad = await runMain(["init", ...FLAGS, "--port", "0"], { cwd: temp("wxdev-init-") });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port.*not a port number/);
  });

  it("--force never loses a hand-added key: the port (unless --port is given), privateKey, other servers", async () => {
    const dir = temp("wxdev-init-");
    expect((await runMain(["init", ...FLAGS], { cwd: dir })).code).toBe(0);
    const path = join(dir, "wxdev.config.json");
    const edited = JSON.parse(readFileSync(path, "utf8"));
    edited.appId = "wx1234567890abcdef";
    edited.servers.s8013.port = 2222;
    edited.servers.s8013.privateKey = "~/.ssh/class_key";
    edited.servers.s8013.host = "old.example.com";
    edited.servers.staging = { host: "staging.example.com", username: "s8013", remoteDir: "~/staging" };
    writeFileSync(path, JSON.stringify(edited));

    const again = await runMain(["init", ...FLAGS, "--force"], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      "kept from the wxdev.config.json that was there: servers.s8013.port, servers.s8013.privateKey, " +
        "servers.staging, appId",
    );
    const { config } = loadConfig({ cwd: dir });
    expect(config.appId).toBe("wx1234567890abcdef");
    expect(config.servers?.staging?.host).toBe("staging.example.com");
    expect(config.servers?.s8013).toMatchObject({
      host: "101.200.170.171",
      port: 2222,
      privateKey: "~/.ssh/class_key",
      appPort: 8013,
    });
    expect(again.stdout).toContain("wxdev ssh s8013   then   mkvirtualenv wechat");

    expect((await runMain(["init", ...FLAGS, "--force", "--port", "2200"], { cwd: dir })).code).toBe(0);
    expect(loadConfig({ cwd: dir }).config.servers?.s8013?.port).toBe(2200);
  });

  it("a folder where a file goes is refused even with --force, before anything is written", async () => {
    const dir = temp("wxdev-init-");
    mkdirSync(join(dir, "requirements.txt"));
    const result = await runMain(["init", ...FLAGS, "--force"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/requirements\.txt in .* is a folder: nothing was written/);
    expect(existsSync(join(dir, "wechat.py"))).toBe(false);
  });

  it.each([
    [[], /missing --account and --host/],
    [["--account", "s8013"], /missing --host\b/],
    [["--host", "example.com"], /missing --account\b/],
    [["--account", "8013", "--host", "example.com"], /account "8013" is not a class account name.*e\.g\. s8013/],
    [["--account", "s80", "--host", "example.com"], /account "s80" is not a class account name/],
    [["--account", "s8013", "--host", "http://1.2.3.4/wechat8013"], /is not a host name.*e\.g\. 1\.2\.3\.4$/m],
    [["--account", "s8013", "--host", "a b"], /host "a b" is not a host name/],
    [["--account", "s8013", "--host", "h", "--token", "no"], /Token is not 3–32 letters and digits/],
    [["--account", "s8013", "--host", "h", "--venv", "my env"], /venv "my env" has spaces/],
  ])("without a terminal, %j is exit 2 in one line naming it, and writes nothing", async (args, pattern) => {
    const dir = temp("wxdev-init-");
    const result = await runMain(["init", ...args], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a bad Token is not echoed in the error", async () => {
    const dir = temp("wxdev-init-");
    const token = "has-a-dash-secret";
    const result = await runMain(["init", ...FLAGS, "--token", token], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain(token);
  });
});
