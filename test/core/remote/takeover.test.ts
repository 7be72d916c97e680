import { describe, expect, it } from "vitest";
import type { RemoteShell } from "../../../src/core/remote/shell.js";
import { takeOverApp } from "../../../src/core/remote/app/takeover.js";
import { InputError } from "../../../src/core/support/errors.js";

describe("takeOverApp", () => {
  it("refuses a server with no start command before it runs anything there (nothing could start the app again)", async () => {
    const ran: string[] = [];
    const shell: RemoteShell = {
      exec: async (command) => {
        ran.push(command);
        return { code: 0, stdout: "", stderr: "" };
      },
    } as RemoteShell;
    const refused = takeOverApp(shell, { server: { host: "h", remoteDir: "~/tom" }, port: 8013, name: "s8013" });
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toMatchObject({
      code: "NO_START_COMMAND",
      message: expect.stringContaining('s8013 has no "start" command'),
    });
    expect(ran).toEqual([]);
  });
});
