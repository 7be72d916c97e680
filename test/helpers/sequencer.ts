import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** What makes a test file slow: a real sshd, a local server's account, nginx and Flask, Chromium. */
const STARTS_SERVERS = /helpers\/(sshd|classroom|local-server|tunnel-rig|browser|phone-app)\.js/;

/**
 * Longest first, so that no long file starts last and runs alone at the end: by test/durations.json (a whole run's
 * record kept in the tree, so a fresh checkout as in CI has it too: `node scripts/save-test-durations.mjs`), or else
 * by the duration vitest recorded for the file in an earlier run (a file run alone takes less than in the whole
 * suite), or else guessed from its size, a file that starts servers counting six times a file that does not (about
 * 3 ms and 0.5 ms a byte here).
 */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const kept = JSON.parse(readFileSync(join(root, "test/durations.json"), "utf8")) as Record<string, number>;
    const cost = new Map<TestSpecification, number>();
    for (const spec of files) {
      const recorded = this.ctx.cache.getFileTestResults(`${spec.project.name}:${relative(root, spec.moduleId)}`);
      const source = readFileSync(spec.moduleId, "utf8");
      const guess = source.length * (STARTS_SERVERS.test(source) ? 3 : 0.5);
      cost.set(spec, kept[relative(root, spec.moduleId)] ?? recorded?.duration ?? guess);
    }
    return [...files].sort((a, b) => (cost.get(b) ?? 0) - (cost.get(a) ?? 0));
  }
}
