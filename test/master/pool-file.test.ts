import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResqueError } from "../../src/errors.ts";
import { parsePoolFile, poolEnvironment } from "../../src/master/pool-file.ts";

// resque-pool's README example (resque-pool.yml(5) has the same shape).
const README = `foo: 1
bar: 2
"foo,bar,baz": 4

production:
  "foo,bar,baz": 10
`;

const badConfig = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ResqueError, String(e));
  assert.equal(e.code, "BAD_CONFIG");
  assert.match(e.message, pattern);
  return true;
};

describe("resque-pool.yml as resque-pool reads it", () => {
  it("reads the README example with and without its environment", () => {
    assert.deepEqual(parsePoolFile(README, { environment: "production" }), [
      { queues: "foo", count: 1 },
      { queues: "bar", count: 2 },
      { queues: "foo,bar,baz", count: 10 },
    ]);
    assert.deepEqual(
      parsePoolFile(README).map((g) => g.count),
      [1, 2, 4],
    );
    // An environment without a section gets the defaults, as in resque-pool.
    assert.deepEqual(
      parsePoolFile(README, { environment: "staging" }).map((g) => g.count),
      [1, 2, 4],
    );
  });

  it("merges the section over the defaults like Hash#merge!, and count 0 turns a group off", () => {
    const text = `foo: 1
bar: 2
baz: 3
development:
  qux: 7
  bar: 5
  baz: 0
test:
  foo: 9
`;
    assert.deepEqual(parsePoolFile(text, { environment: "development" }), [
      { queues: "foo", count: 1 },
      { queues: "bar", count: 5 },
      { queues: "qux", count: 7 },
    ]);
    assert.deepEqual(
      parsePoolFile("foo: 0\nbar: 1\n").map((g) => g.queues),
      ["bar"],
    );
  });

  it("reads a file of sections only, and empty sections", () => {
    const text = `production:\n  "critical,high": 4\nstaging: {}\n`;
    assert.deepEqual(parsePoolFile(text, { environment: "production" }), [{ queues: "critical,high", count: 4 }]);
  });

  it("keeps queue-list order and QUEUE syntax, trimming spaces", () => {
    const text = `"high, low": 1\n"*": 2\n"a*,!a_low": 1\n1: 1\n`;
    assert.deepEqual(
      parsePoolFile(text).map((g) => g.queues),
      ["high,low", "*", "a*,!a_low", "1"],
    );
  });

  it("follows YAML anchors and merge keys", () => {
    const text = `defaults: &defaults\n  foo: 1\nproduction:\n  <<: *defaults\n  bar: 2\n`;
    assert.deepEqual(
      parsePoolFile(text, { environment: "production" }).map((g) => [g.queues, g.count]),
      [
        ["foo", 1],
        ["bar", 2],
      ],
    );
  });
});

describe("poolEnvironment", () => {
  const from = (vars: Record<string, string>) => (name: string) => vars[name];
  it("prefers RACK_ENV, then RAILS_ENV, then RESQUE_ENV, with no default", () => {
    assert.equal(poolEnvironment(from({ RACK_ENV: "a", RAILS_ENV: "b", RESQUE_ENV: "c" })), "a");
    assert.equal(poolEnvironment(from({ RAILS_ENV: "b", RESQUE_ENV: "c" })), "b");
    assert.equal(poolEnvironment(from({ RESQUE_ENV: "c" })), "c");
    assert.equal(poolEnvironment(from({})), undefined);
  });
  it("skips empty variables", () => {
    assert.equal(poolEnvironment(from({ RACK_ENV: "", RESQUE_ENV: "c" })), "c");
  });
});

describe("groups written as mappings (beyond resque-pool)", () => {
  it("reads count, threads and jobs_per_fork, at the top and in sections", () => {
    const text = `"foo,bar": { count: 2, threads: 8, jobs_per_fork: 1000 }
baz:
  count: 1
production:
  baz: { count: 3, threads: 4 }
`;
    assert.deepEqual(parsePoolFile(text), [
      { queues: "foo,bar", count: 2, threads: 8, jobsPerFork: 1000 },
      { queues: "baz", count: 1 },
    ]);
    // The section's value replaces the default whole, as Hash#merge! does.
    assert.deepEqual(parsePoolFile(text, { environment: "production" })[1], { queues: "baz", count: 3, threads: 4 });
  });

  it("rejects mappings that could be a group or a section", () => {
    assert.throws(
      () => parsePoolFile(`foo: { count: 2, jobsPerFork: 5 }\n`),
      badConfig(/line 1: "foo" mixes group settings \(count\) with other keys \(jobsPerFork\)/),
    );
    assert.throws(
      () => parsePoolFile(`foo: { threads: 8 }\n`),
      badConfig(/"foo" has threads but no count; write \{ count: 2, threads: \.\.\. \}/),
    );
    assert.throws(
      () => parsePoolFile(`production:\n  foo:\n    bar: 1\n`),
      badConfig(/line 3: "foo" is a mapping inside an environment section; sections do not nest/),
    );
    assert.throws(
      () => parsePoolFile(`production: { count: 2 }\n`, { environment: "production" }),
      badConfig(/"production" is the environment being run and also a \{ count: \.\.\. \} group/),
    );
    // Without that environment it is simply a group for the queue "production".
    assert.deepEqual(parsePoolFile(`production: { count: 2 }\n`), [{ queues: "production", count: 2 }]);
  });
});

describe("errors name the file, the place and the fix", () => {
  const source = "config/resque-pool.yml";
  it("rejects counts that are not whole numbers of 0 or more", () => {
    assert.throws(
      () => parsePoolFile("foo: 1\nbar: 1.5\n", { source }),
      badConfig(/^config\/resque-pool\.yml line 2: "bar" is 1\.5; write a whole number of workers, 0 or more/),
    );
    assert.throws(
      () => parsePoolFile("foo: -1\n", { source }),
      badConfig(/line 1: "foo" is -1; write a whole number of workers, 0 or more/),
    );
    assert.throws(() => parsePoolFile(`foo: "2"\n`, { source }), badConfig(/"foo" is "2" \(text\); .*without quotes/));
    assert.throws(() => parsePoolFile("foo:\n", { source }), badConfig(/"foo" is empty/));
    assert.throws(() => parsePoolFile("foo: [1]\n", { source }), badConfig(/"foo" is a list/));
    assert.throws(
      () => parsePoolFile("foo: { count: 1, threads: 0 }\n", { source }),
      badConfig(/line 1: "foo" threads is 0; write a whole number, 1 or more/),
    );
    assert.throws(
      () => parsePoolFile("p:\n  foo: { count: 1, jobs_per_fork: x }\n", { source }),
      badConfig(/line 2: "foo" jobs_per_fork is "x" \(text\)/),
    );
  });

  it("reports YAML syntax errors with their line", () => {
    assert.throws(
      () => parsePoolFile("foo: 1\nbar: [\nbaz: 2\n", { source }),
      badConfig(/^config\/resque-pool\.yml is not valid YAML: .*line 3, column 1/),
    );
    assert.throws(() => parsePoolFile("foo: 1\nfoo: 2\n", { source }), badConfig(/not valid YAML: Map keys must be unique at line 2/));
    assert.throws(() => parsePoolFile("*: 1\n", { source }), badConfig(/Quote queue lists that start with \* or !/));
    assert.throws(
      () => parsePoolFile("- foo\n- bar\n", { source }),
      badConfig(/must map queue lists to worker counts .* but it holds a list/),
    );
  });

  it("refuses ERB, which only Ruby can evaluate", () => {
    const text = `foo: 1\nbar: <%= ENV["BAR_WORKERS"] %>\n`;
    assert.throws(
      () => parsePoolFile(text, { source }),
      badConfig(
        /^config\/resque-pool\.yml line 2: uses ERB .*write the values out, or render it first \(erb config\/resque-pool\.yml > rendered\.yml\)/,
      ),
    );
  });

  it("refuses queue lists without a queue, and one list written twice", () => {
    assert.throws(() => parsePoolFile(`" , ": 1\n`, { source }), badConfig(/" , " names no queue to work/));
    assert.throws(() => parsePoolFile(`"!low": 1\n`, { source }), badConfig(/"!low" names no queue to work/));
    assert.throws(() => parsePoolFile(`"a,b": 1\n"a, b": 2\n`, { source }), badConfig(/line 2: the queue list "a,b" appears twice/));
  });

  it("refuses a file that starts no workers", () => {
    assert.throws(
      () => parsePoolFile("", { source }),
      badConfig(/^config\/resque-pool\.yml has no worker groups; add lines like "critical,high": 2/),
    );
    assert.throws(() => parsePoolFile("foo: 0\n", { source }), badConfig(/has no worker groups;/));
    assert.throws(
      () => parsePoolFile(`foo: 1\nstaging:\n  foo: 0\n`, { source, environment: "staging" }),
      badConfig(
        /has no worker groups for environment "staging" \(its environment sections: staging\); add lines .* in the staging section/,
      ),
    );
    assert.throws(
      () => parsePoolFile(`production:\n  foo: 1\n`, { source }),
      badConfig(/no worker groups \(its environment sections: production\); set RACK_ENV, RAILS_ENV or RESQUE_ENV/),
    );
    assert.throws(() => parsePoolFile(""), badConfig(/^the pool file has no worker groups/));
  });

  it("checks sections that are not running too, so a typo shows before it ships", () => {
    assert.throws(
      () => parsePoolFile(`foo: 1\nproduction:\n  foo: two\n`, { source, environment: "development" }),
      badConfig(/line 3: "foo" is "two" \(text\)/),
    );
  });
});
