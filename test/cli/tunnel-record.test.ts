import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openRecording } from "../../src/cli/commands/tunnel/record.js";
import { parseRecords } from "../../src/core/wire/exchange-record.js";
import type { TunnelExchange } from "../../src/core/remote/tunnel/tunnel.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const exchange = (body: string, extra: Partial<TunnelExchange> = {}): TunnelExchange => ({
  time: new Date().toISOString(),
  method: "POST",
  path: "/wechat8013",
  status: 200,
  latencyMs: 1,
  body,
  reply: "success",
  ...extra,
});

describe("--record is bounded", () => {
  it("stops at its cap for the run, with one warning; every line written is whole", () => {
    const file = join(temp("wxdev-record-"), "flood.ndjson");
    const warnings: string[] = [];
    const recording = openRecording(file, (message) => warnings.push(message), 10 * 1024);
    for (let i = 0; i < 100; i++) recording.write(exchange("x".repeat(1000)));
    recording.close();
    expect(statSync(file).size).toBeLessThanOrEqual(10 * 1024);
    expect(parseRecords(readFileSync(file, "utf8"))).toHaveLength(9);
    expect(warnings).toEqual([expect.stringMatching(/^--record stopped: .* grew by .* in this run, its cap/)]);
  });

  it("an exchange whose body was clipped is recorded with its sizes, and read back so", () => {
    const file = join(temp("wxdev-record-"), "part.ndjson");
    const recording = openRecording(file, () => undefined);
    recording.write(exchange("<xml>", { truncated: { body: 300_000, reply: 7 } }));
    recording.close();
    expect(parseRecords(readFileSync(file, "utf8"))[0]).toMatchObject({ truncated: { body: 300_000, reply: 7 } });
  });
});
