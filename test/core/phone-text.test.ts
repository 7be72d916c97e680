import { describe, expect, it } from "vitest";
import { cutToBytes, menuLabel, templateValue, textPieces } from "../../src/web/phone/text.js";

describe("the phone page's text rules (pure, shared with the page's bundle)", () => {
  it("an <a href> becomes its label linked; a bare http(s) URL links to itself; other markup stays text", () => {
    expect(textPieces('看 <a href="https://example.com/?a=1&amp;b=2">这里</a> 吧')).toEqual([
      { text: "看 " },
      { text: "这里", href: "https://example.com/?a=1&b=2" },
      { text: " 吧" },
    ]);
    expect(textPieces("去 http://127.0.0.1:8013/index。好")).toEqual([
      { text: "去 " },
      { text: "http://127.0.0.1:8013/index", href: "http://127.0.0.1:8013/index" },
      { text: "。好" },
    ]);
    // A javascript: link is never a link: its markup is shown as it came.
    const hostile = '<a href="javascript:alert(1)">点我</a><script>x</script>';
    expect(textPieces(hostile)).toEqual([
      { text: '<a href="javascript:alert(1)">点我</a>' },
      { text: "<script>x</script>" },
    ]);
  });

  it("cuts at a byte limit without splitting a character (CJK is 3 bytes, an emoji 4)", () => {
    expect(cutToBytes("abc", 3)).toEqual({ text: "abc", cut: false });
    expect(cutToBytes("你好吗", 7)).toEqual({ text: "你好", cut: true });
    expect(cutToBytes("a😀b", 4)).toEqual({ text: "a", cut: true });
    expect(cutToBytes("😀".repeat(600), 2047).text).toHaveLength(511 * 2);
  });

  it("a template value: its first line, 20 characters then …", () => {
    expect(templateValue("体检")).toBe("体检");
    expect(templateValue("一二三四五六七八九十一二三四五六七八九十一")).toBe(
      "一二三四五六七八九十一二三四五六七八九十…",
    );
    expect(templateValue("第一行\n第二行")).toBe("第一行");
  });

  it("a menu name: 4 characters at the first level, 8 in a sub-menu (Latin counts half), then …", () => {
    expect(menuLabel("今日歌曲", false)).toBe("今日歌曲");
    expect(menuLabel("今日歌曲推荐", false)).toBe("今日歌曲…");
    expect(menuLabel("Menu", false)).toBe("Menu");
    expect(menuLabel("赞一下我们吧谢谢你们", true)).toBe("赞一下我们吧谢谢…");
  });
});
