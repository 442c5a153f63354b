// Schedule-file YAML proven against Ruby itself: every document of test/support/psych-table.ts goes
// through Ruby 3.1's Psych and resque's JSON in one `ruby` run, and our loader must give the same
// bytes (or refuse where Ruby raises). The table's hard-coded answers are checked against Ruby too,
// so test/scheduler/psych-yaml.test.ts (which runs without Ruby) cannot drift from it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { loadPsychYaml, rubyJson } from "../../src/scheduler/psych-yaml.ts";
import { PSYCH_ROWS, TABLE_OFFSET_MINUTES, TABLE_TZ } from "../support/psych-table.ts";

const root = new URL("../../", import.meta.url).pathname;

describe("schedule YAML: compatibility with Ruby's Psych", () => {
  it(`reads all ${PSYCH_ROWS.length} documents as Ruby 3.1 does`, () => {
    const run = spawnSync("ruby", ["test/compat/psych.rb"], {
      cwd: root,
      encoding: "utf8",
      input: JSON.stringify(PSYCH_ROWS.map((row) => row.yaml)),
      env: { ...process.env, TZ: TABLE_TZ, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
    assert.equal(run.status, 0, `ruby test/compat/psych.rb: ${run.error?.message ?? run.stderr}`);
    const answers = JSON.parse(run.stdout) as { json?: string; error?: string; safe?: boolean }[];
    assert.equal(answers.length, PSYCH_ROWS.length);
    const wrong: string[] = [];
    PSYCH_ROWS.forEach((row, i) => {
      const ruby = answers[i]!;
      let ours: string | undefined;
      try {
        ours = rubyJson(loadPsychYaml(row.yaml, { localOffsetMinutes: () => TABLE_OFFSET_MINUTES }));
      } catch {
        ours = undefined;
      }
      const where = JSON.stringify(row.yaml);
      // The table says what Ruby says.
      if ("json" in row && ruby.json !== row.json) wrong.push(`${where}: table ${row.json}, Ruby ${JSON.stringify(ruby)}`);
      if ("error" in row && ruby.error !== row.error) wrong.push(`${where}: table error ${row.error}, Ruby ${JSON.stringify(ruby)}`);
      if ("refused" in row && ruby.json === undefined) wrong.push(`${where}: marked refused-on-purpose, but Ruby refuses it too`);
      // And we say what Ruby says.
      if ("refused" in row) {
        if (ours !== undefined) wrong.push(`${where}: we should refuse it (${row.refused}), we gave ${ours}`);
      } else if (ruby.json !== ours) {
        wrong.push(`${where}: ours ${ours ?? "(refused)"}, Ruby ${JSON.stringify(ruby)}`);
      }
    });
    assert.deepEqual(wrong, []);
    // Psych 4's YAML.load (dates, times and aliases off) agrees wherever it loads at all.
    const safe = answers.filter((a) => a.safe === true).length;
    console.log(
      `# ${PSYCH_ROWS.length} documents; ${safe} also load with YAML.load, the rest need unsafe_load (dates, times, aliases) or fail in Ruby`,
    );
  });
});
