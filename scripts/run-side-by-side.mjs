// Runs the npm scripts named as arguments at once (npm test: build, typecheck and lint, which do not depend on each
// other, fill both cores before the tests), each one's output printed whole when it ends; exit 1 if any failed.
import { spawn } from "node:child_process";

const names = process.argv.slice(2);
const npm = process.env.npm_execpath;
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const [command, args] = npm ? [process.execPath, [npm, "run", name]] : ["npm", ["run", name]];
      const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
      const output = [];
      child.stdout.on("data", (chunk) => output.push(chunk));
      child.stderr.on("data", (chunk) => output.push(chunk));
      child.on("error", (error) => output.push(Buffer.from(`${error.message}\n`)));
      child.on("close", (code) => {
        process.stdout.write(Buffer.concat(output));
        resolve({ name, ok: code === 0 });
      });
    }),
);
const failed = (await Promise.all(runs)).filter((run) => !run.ok).map((run) => run.name);
if (failed.length > 0) {
  console.error(`failed: npm run ${failed.join(", npm run ")}`);
  process.exit(1);
}
