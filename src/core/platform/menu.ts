import { menuGetShape, selfMenuShape, validateMenu } from "./menu-rules.js";
import type { ApiRoute, Call, PlatformContext } from "./route.js";
import { BAD_JSON, done, fail, ok } from "./transport.js";

/** The custom menu: create, get, delete, and get_current_selfmenu_info. */
export function menuRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  const announce = (): void => {
    store.changed();
    store.events.emit({ type: "menu", time: store.clock.now(), menu: store.menu ?? null });
  };
  return [
    {
      method: "POST",
      path: "/cgi-bin/menu/create",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON) return fail(47001, "the body is not JSON");
        const checked = validateMenu(body);
        if (!checked.ok) return fail(checked.problem.errcode, `${checked.problem.path}: ${checked.problem.reason}`);
        store.menu = checked.menu;
        store.menuId += 1;
        announce();
        return done();
      },
    },
    {
      method: "GET",
      path: "/cgi-bin/menu/get",
      token: true,
      handle: () =>
        store.menu === undefined ? fail(46003, "no menu: create one first") : ok({ menu: menuGetShape(store.menu) }),
    },
    {
      method: "GET",
      path: "/cgi-bin/menu/delete",
      token: true,
      handle: () => {
        store.menu = undefined;
        announce();
        return done();
      },
    },
    {
      method: "GET",
      path: "/cgi-bin/get_current_selfmenu_info",
      token: true,
      // With no menu the page documents no answer; SDK test doubles use an open menu with no buttons.
      handle: () =>
        ok({
          is_menu_open: 1,
          selfmenu_info: store.menu === undefined ? { button: [] } : selfMenuShape(store.menu),
        }),
    },
  ];
}
