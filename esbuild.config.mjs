// Bundles the compiled CLI (dist/cli) into dist/bundle: one small start-up path, each command's
// code in its own chunk loaded only when that command runs (npm run bundle).
import { build } from "esbuild";

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

await build({
  entryPoints: ["dist/cli/index.js"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist/bundle",
  external: ["node-ssh", "playwright-core"],
  logLevel: "warning",
  plugins: [lazyChildProcess],
  // Bundled CommonJS dependencies call require() for Node's built-ins; ESM has none of its own. Node's
  // process.getBuiltinModule is that require, with no module to load (node:module's createRequire cost
  // ~1-2 ms of every start-up); on Node < 20.16 bin/wxdev.js puts createRequire's in its place.
  banner: {
    js: "const require = globalThis.__wxdevRequire ?? ((id) => process.getBuiltinModule(id));",
  },
});
