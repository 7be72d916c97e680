import { describe, expect, it } from "vitest";
import { remoteLayout } from "../../../src/core/remote/layout.js";

describe("remote layout", () => {
  it("puts releases in a hidden sibling of remoteDir", () => {
    expect(remoteLayout("~/tom")).toEqual({
      live: `"$HOME"/'tom'`,
      releases: `"$HOME"/'.tom.wxdev/releases'`,
      state: `"$HOME"/'.tom.wxdev'`,
    });
    expect(remoteLayout("/srv/app/")).toEqual({
      live: `'/srv/app'`,
      releases: `'/srv/.app.wxdev/releases'`,
      state: `'/srv/.app.wxdev'`,
    });
    expect(remoteLayout("apps/it's")).toEqual({
      live: `"$HOME"/'apps/it'\\''s'`,
      releases: `"$HOME"/'apps/.it'\\''s.wxdev/releases'`,
      state: `"$HOME"/'apps/.it'\\''s.wxdev'`,
    });
  });
});
