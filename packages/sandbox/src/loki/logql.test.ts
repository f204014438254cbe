import { describe, expect, it } from "vitest";
import { matchesSelector, parseLogQuery, passesFilters } from "./logql.js";

const parse = (q: string) => {
  const r = parseLogQuery(q);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const error = (q: string): string => {
  const r = parseLogQuery(q);
  return r.ok ? "parsed" : r.error;
};

describe("logql", () => {
  it("parses matchers and line filters", () => {
    const q = parse(' { app = "web", pod!="x", node=~"n-[ab]" , ns !~ `k.*` } |= "a\\"b" != "c" |~ "d+" !~ "e"');
    expect(q.matchers.map((m) => [m.label, m.op, m.value])).toEqual([
      ["app", "=", "web"],
      ["pod", "!=", "x"],
      ["node", "=~", "n-[ab]"],
      ["ns", "!~", "k.*"],
    ]);
    expect(q.filters.map((f) => [f.op, f.value])).toEqual([
      ["|=", 'a"b'],
      ["!=", "c"],
      ["|~", "d+"],
      ["!~", "e"],
    ]);
  });

  it("anchors label regexes and treats a missing label as empty", () => {
    const { matchers } = parse('{app=~"web|api", level!="x"}');
    expect(matchesSelector(matchers, { app: "web" })).toBe(true);
    expect(matchesSelector(matchers, { app: "webby" })).toBe(false);
    expect(matchesSelector(parse('{app="a", level=""}').matchers, { app: "a" })).toBe(true);
  });

  it("leaves line regexes unanchored", () => {
    const { filters } = parse('{a="b"} |~ "err" != "ignore"');
    expect(passesFilters(filters, "an error here")).toBe(true);
    expect(passesFilters(filters, "error, ignore it")).toBe(false);
  });

  it("refuses what the sandbox does not serve, with a position", () => {
    expect(error("{}")).toBe("parse error at line 1, col 2: syntax error: unexpected }, expecting IDENTIFIER");
    expect(error('rate({app="x"}[5m])')).toMatch(/^parse error at line 1, col 1: metric queries \(rate\)/);
    expect(error('sum(rate({app="x"}[5m]))')).toMatch(/metric queries/);
    expect(error('{app="x"} | json')).toMatch(/col 11: .*pipeline stage json/);
    expect(error('{app="x"} | line_format "{{.a}}"')).toMatch(/line_format/);
    expect(error('{app="x"')).toMatch(/unexpected end of input/);
    expect(error('{app=~"[a"}')).toMatch(/^parse error at line 1, col 7: error parsing regexp/);
    expect(error('{app="x} ')).toMatch(/literal not terminated/);
    expect(error('{app!="x"}')).toMatch(/empty-compatible/);
    expect(error('{app="x"} foo')).toMatch(/unexpected IDENTIFIER foo/);
  });
});
