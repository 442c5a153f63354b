// Schedule-file YAML read as Ruby's Psych reads it: every row of test/support/psych-table.ts (answers
// printed by Ruby itself, re-checked live by test/compat/yaml.test.ts) on every runtime, no Ruby needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseScheduleFile } from "../../src/scheduler/schedule-file.ts";
import { loadPsychYaml, rubyJson } from "../../src/scheduler/psych-yaml.ts";
import { PSYCH_ROWS, TABLE_OFFSET_MINUTES } from "../support/psych-table.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** Our JSON for a document, or an Error. */
function ours(yaml: string): string | Error {
  try {
    return rubyJson(loadPsychYaml(yaml, { localOffsetMinutes: () => TABLE_OFFSET_MINUTES }));
  } catch (error) {
    return error as Error;
  }
}

describe("schedule YAML: Psych's scalars, keys and merges", () => {
  it(`has the table's ${PSYCH_ROWS.length} rows right`, () => {
    assert.ok(PSYCH_ROWS.length >= 60);
    const wrong: string[] = [];
    for (const row of PSYCH_ROWS) {
      const got = ours(row.yaml);
      const shown = got instanceof Error ? `error: ${got.message}` : got;
      if ("json" in row ? got !== row.json : !(got instanceof Error))
        wrong.push(`${JSON.stringify(row.yaml)}: got ${shown}, Ruby: ${"json" in row ? row.json : "error" in row ? row.error : "refused"}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("gives the same values through parseScheduleFile, each document as an entry's args", () => {
    const wrong: string[] = [];
    for (const row of PSYCH_ROWS) {
      const indented = row.yaml
        .trimEnd()
        .split("\n")
        .map((line) => `    ${line}`)
        .join("\n");
      const file = `job:\n  every: 1h\n  class: J\n  args:\n${indented}\n`;
      let got: string | undefined;
      try {
        got = parseScheduleFile(file, "s.yml", T0, { localOffsetMinutes: () => TABLE_OFFSET_MINUTES }).get("job");
      } catch {
        got = undefined;
      }
      const want = "json" in row ? `{"every":"1h","class":"J","args":${row.json}}` : undefined;
      if (got !== want) wrong.push(`${JSON.stringify(row.yaml)}: got ${got ?? "a refusal"}, want ${want ?? "a refusal"}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("reads the issue's cases as Ruby does", () => {
    assert.equal(ours("args: {x: 10, y: 20}\n"), '{"args":{"x":10,"y":20}}');
    assert.equal(ours("v: [y, Y, n, N]\n"), '{"v":["y","Y","n","N"]}');
    assert.equal(ours("v: 1:20\n"), '{"v":4800}');
    assert.equal(ours("v: 09\n"), '{"v":"09"}');
    assert.equal(ours("yes: 1\non: 2\nTrue: 3\n"), '{"true":3}');
  });

  it("loads a schedule file whose args have y/n keys, and a repeated entry keeps its place with its last settings", () => {
    const yaml =
      "resize:\n  every: 1h\n  queue: q\n  args: {x: 10, y: 20, n: 1:20, z: 09}\nother:\n  every: 5m\n  queue: q\nresize:\n  every: 2h\n  queue: q\n  args: {x: 1, y: 2}\n";
    const schedule = parseScheduleFile(yaml, "s.yml", T0);
    assert.deepEqual([...schedule.keys()], ["resize", "other"]);
    assert.equal(schedule.get("resize"), '{"every":"2h","queue":"q","args":{"x":1,"y":2},"class":"resize"}');
    const first = parseScheduleFile(yaml.split("other:")[0]!, "s.yml", T0);
    assert.equal(first.get("resize"), '{"every":"1h","queue":"q","args":{"x":10,"y":20,"n":4800,"z":"09"},"class":"resize"}');
  });

  it("refuses what Ruby's scheduler could not store, naming the entry", () => {
    assert.throws(
      () => parseScheduleFile("a:\n  every: 1h\n  args: [.inf]\n", "s.yml", T0),
      /entry "a": args\[0\] is Infinity, which JSON cannot hold/,
    );
    assert.throws(
      () => parseScheduleFile("a:\n  every: 1h\n  args: 0x_\n", "s.yml", T0),
      /s\.yml is not valid YAML: invalid value for Integer\(\): "0x"/,
    );
    assert.throws(() => parseScheduleFile("a: &a\n  every: 1h\n  args: [*a]\n", "s.yml", T0), /refers to a list or map that contains it/);
    assert.throws(
      () => parseScheduleFile("a:\n  every: 1h\n  args: !ruby/object:Foo {}\n", "s.yml", T0),
      /!ruby\/object:Foo makes a Ruby object/,
    );
  });
});
