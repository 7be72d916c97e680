// Bundles the compiled CLI (dist/cli) into CommonJS files in dist/bundle (npm run bundle):
//   wxdev-<command>.cjs  the whole CLI with that one command's code: what `wxdev <command> …` loads
//   wxdev.cjs            the CLI with no command's code: --help, and any word that is no command
//   invoked-command.cjs  which of them a command line needs (bin/wxdev.cjs asks it first)
// and the browser pages into dist/web/<page>/ (scripts/build-web.mjs).
// A run loads exactly one CLI bundle, so one copy of every module (errors.ts's classes and all).
// CommonJS, because Node's ESM loader costs a start-up more than the CLI's own code, and one bundle per
// command, because V8 still pre-parses a single file's every lazily-loaded byte: ~10 ms of CPU for
// the other commands' 380 KB. Inside a bundle, esbuild turns `import()` into a lazy init of that code,
// and the npm dependencies stay in node_modules, required only when the code that uses them runs.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { buildWeb } from "./scripts/build-web.mjs";

/**
 * Built into files of their own that every CLI bundle shares: commander is on every start-up (and patched
 * below); chalk is ESM-only, which require() cannot load; node-ssh and ssh2 (one copy, which node-ssh's file
 * requires) so that installing wxdev runs no install script: ssh2's builds optional native parts, which it does
 * without (its cpu-features and compiled crypto stay out, and it falls back to Node's crypto as it does when the
 * build is skipped).
 */
const SHARED = ["commander", "chalk", "ssh2", "node-ssh"];
/** What ssh2 tries to load in a try block and goes on without. */
const OPTIONAL = ["cpu-features", "./crypto/build/Release/sshcrypto.node"];
const { dependencies } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));
/** A command is a file (`commands/sign.js`) or a folder whose entry is `command.js` (`commands/mock/command.js`). */
const COMMAND_FILES = readdirSync("dist/cli/commands", { withFileTypes: true }).flatMap((entry) =>
  entry.isFile() && entry.name.endsWith(".js")
    ? [entry.name]
    : entry.isDirectory() && existsSync(`dist/cli/commands/${entry.name}/command.js`)
      ? [`${entry.name}/command.js`]
      : [],
);

/**
 * commander requires node:child_process at import time, for executable subcommands wxdev never
 * uses; loading it pulls in net, dgram and the process bindings, a few ms of every start-up.
 * Inside commander it becomes a stand-in that loads the real module on first use.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "lazy-child-process", namespace: "wxdev-lazy" }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "wxdev-lazy" }, () => ({
      contents:
        'let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require("node:child_process"))[key] });',
      loader: "js",
    }));
  },
};

/**
 * The registry's import of every command but `kept` becomes a stand-in: the CLI loads only the command
 * a run invokes (program.ts), the one bin/wxdev.cjs picked this bundle for, so a stand-in never runs.
 */
function onlyCommand(kept) {
  return {
    name: "only-command",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\/commands\/([^/]+\.js|[^/]+\/command\.js)$/ }, (args) =>
        args.path === `./commands/${kept}` ? undefined : { path: args.path, namespace: "wxdev-elsewhere" },
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: "wxdev-elsewhere" }, (args) => ({
        contents: `throw new Error("${args.path} is not in this bundle: bin/wxdev.cjs loaded the wrong one");`,
        loader: "js",
      }));
    },
  };
}

const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: [...Object.keys(dependencies).filter((name) => !SHARED.includes(name)), ...OPTIONAL],
  logLevel: "warning",
};

/**
 * A CLI bundle requires the shared files (dist/bundle/commander.cjs, chalk.cjs) rather than its own copy,
 * through a require() even where the source has import(): esbuild keeps an external import() as one,
 * which would start Node's ESM loader.
 */
const sharedFiles = (except) => ({
  name: "shared-files",
  setup(pluginBuild) {
    const filter = new RegExp(`^(${SHARED.filter((name) => name !== except).join("|")})$`);
    pluginBuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: "wxdev-shared" }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "wxdev-shared" }, (args) => ({
      contents: `module.exports = require("./${args.path}.cjs");`,
      loader: "js",
    }));
    pluginBuild.onResolve({ filter: /^\.\/.*\.cjs$/, namespace: "wxdev-shared" }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
});

const cli = (command, outfile) =>
  build({
    ...common,
    entryPoints: ["dist/cli/index.js"],
    outfile,
    plugins: [sharedFiles(), onlyCommand(command)],
    // The compiled code finds package.json and ssh2 from import.meta.url; in CommonJS that is the bundle's own URL.
    define: { "import.meta.url": "importMetaUrl" },
    banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
const shared = (name) =>
  build({
    ...common,
    stdin: { contents: `module.exports = require("${name}");`, resolveDir: "." },
    outfile: `dist/bundle/${name}.cjs`,
    plugins: [lazyChildProcess, sharedFiles(name)],
  });

/** The library (package.json's main): src/index.ts's API in one ES module; its npm dependencies stay packages. */
const library = () =>
  build({
    ...common,
    format: "esm",
    entryPoints: ["dist/index.js"],
    outfile: "dist/library.js",
    external: Object.keys(dependencies),
  });

await Promise.all([
  buildWeb(),
  library(),
  ...SHARED.map(shared),
  build({ ...common, entryPoints: ["dist/cli/invoked-command.js"], outfile: "dist/bundle/invoked-command.cjs" }),
  cli(undefined, "dist/bundle/wxdev.cjs"),
  ...COMMAND_FILES.map((file) => cli(file, `dist/bundle/wxdev-${file.replace(/(\/command)?\.js$/, "")}.cjs`)),
]);
