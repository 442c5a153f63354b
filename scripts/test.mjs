#!/usr/bin/env node
// The whole suite: generated-code and type checks, then the same test files on Node, Bun and Deno.
// Fails if any runtime fails.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => `${root}node_modules/.bin/${name}`;
// Every *.test.ts under test/, at any depth: a file put in a new folder is run without anyone remembering to list it.
const allTests = readdirSync(`${root}test`, { recursive: true })
  .map((f) => `test/${f}`)
  .filter((f) => f.endsWith(".test.ts"))
  .sort();
// These run once each in their own step below (against the compiled binary or a packed tarball), not on every runtime.
const onceOnly = ["test/faults/", "test/packaging/packaging.test.ts", "test/packaging/readme.test.ts"];
const files = allTests.filter((f) => !onceOnly.some((skip) => f.startsWith(skip)));

const faultArgs = [
  "--import",
  "tsx",
  "--test",
  "--test-concurrency=1",
  "test/faults/faults.test.ts",
  "test/faults/scheduler-faults.test.ts",
  "test/faults/failover-faults.test.ts",
  "test/faults/host-loss.test.ts",
];

const steps = [
  // Biome, not deno fmt + deno lint: one tool formats and lints, and its type-aware rules catch a promise nobody awaits.
  ["format and lint (biome ci)", bin("biome"), ["ci", "."]],
  ["generated Lua module is current", "node", ["scripts/gen-scripts.mjs", "--check"]],
  ["generated dashboard assets module is current", "node", ["scripts/gen-assets.mjs", "--check"]],
  ["types (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "."]],
  // The package's bins run the built CLI, and a test starts bin/resque.mjs as npx would.
  ["build dist/lib", "node", ["scripts/build-lib.mjs"]],
  ["node", "node", ["--import", "tsx", "--test", "--test-concurrency=1", ...files]],
  // Bun's run is against Valkey 8 (unless RESQUE_TEST_SERVER names another server): every test file then runs
  // against Redis 7 (Node, Deno) and Valkey 8 in one `npm test`, without a fourth pass over the suite.
  [
    "bun (against Valkey 8)",
    bin("bun"),
    ["test", "--timeout=120000", "--max-concurrency=1", ...files.map((f) => `./${f}`)],
    { RESQUE_TEST_SERVER: process.env.RESQUE_TEST_SERVER || "valkey-server" },
  ],
  ["deno", bin("deno"), ["test", "-A", "--no-check", ...files]],
  ["build dist/resque-worker", "node", ["scripts/build.mjs"]],
  ["benchmark, short (prints a table, asserts nothing)", "node", ["--import", "tsx", "bench/macro.ts"], { BENCH_QUICK: "1" }],
  [
    "compiled binary (process tests)",
    "node",
    [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      "test/master/master.test.ts",
      "test/master/signals.test.ts",
      "test/master/pool.test.ts",
      "test/master/signal-tables.test.ts",
      "test/store/connection.test.ts",
      "test/store/cluster.test.ts",
      "test/scheduler/work-scheduler.test.ts",
      "test/web/web.test.ts",
    ],
    { RESQUE_TEST_BINARY: `${root}dist/resque-worker` },
  ],
  // Once, against what ships: the packed tarball in a fresh app (it starts Node, Bun and Deno itself) and the release binary;
  // then the README's marked blocks as written, from `npm ci` in a fresh copy of the checkout to a worker on each runtime.
  [
    "packaging (npm pack into a fresh app: Node, Bun, Deno, tsc, the release binary; the README runs)",
    "node",
    ["--import", "tsx", "--test", "--test-concurrency=1", "test/packaging/packaging.test.ts", "test/packaging/readme.test.ts"],
  ],
  // Against what ships: fails on a lost job or an unexplained duplicate; then Sentinel and Cluster failovers
  // under load, and host loss. Twice: on Redis 7 and on Valkey 8 (about 5 minutes each here).
  ["fault injection (compiled binary)", "node", faultArgs, { RESQUE_TEST_BINARY: `${root}dist/resque-worker` }],
  [
    "fault injection against Valkey 8 (compiled binary)",
    "node",
    faultArgs,
    { RESQUE_TEST_BINARY: `${root}dist/resque-worker`, RESQUE_TEST_SERVER: process.env.RESQUE_TEST_SERVER || "valkey-server" },
  ],
];

// A test file that no step names would pass by never running: refuse the whole run instead.
const named = new Set(steps.flatMap(([, , args]) => args));
const unrun = allTests.filter((f) => !named.has(f));
if (unrun.length > 0) {
  console.error(`These test files are run by no step of scripts/test.mjs:\n  ${unrun.join("\n  ")}`);
  process.exit(1);
}

// A failed test's name as each runner prints it: node's TAP "not ok", bun's "(fail)", deno's "... FAILED" and
// "name => file:line". Kept so the summary, the part of a long log a CI page shows, names what failed.
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;
const FAILED_TEST = /^\s*(not ok \d+ - |\(fail\) )|\.\.\. FAILED|^\S.* => \.?\/?test\//;

/** Run one step with its output passed through; resolves to whether it passed and the failed tests' lines. */
function runStep(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["inherit", "pipe", "pipe"], env: { ...process.env, ...env } });
    const failures = [];
    let partial = "";
    const scan = (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines.map((l) => l.replace(ANSI_COLOUR, ""))) {
        if (FAILED_TEST.test(line) && failures.length < 40) failures.push(line.trim());
      }
    };
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      scan(chunk.toString());
    });
    child.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      scan(chunk.toString());
    });
    child.on("error", (error) => resolve({ ok: false, failures: [String(error)] }));
    child.on("close", (status) => resolve({ ok: status === 0, failures }));
  });
}

// `node scripts/test.mjs <label> ...` runs only the steps named (`npm run test:valkey` does).
const only = process.argv.slice(2);
const unknown = only.filter((label) => !steps.some(([l]) => l === label));
if (unknown.length > 0) {
  console.error(`No such step: ${unknown.join(", ")}. Steps: ${steps.map(([l]) => l).join("; ")}`);
  process.exit(1);
}
if (process.env.RESQUE_TEST_SERVER) console.log(`Every test server is ${process.env.RESQUE_TEST_SERVER} (RESQUE_TEST_SERVER).`);

const results = [];
for (const [label, cmd, args, env] of steps.filter(([l]) => only.length === 0 || only.includes(l))) {
  console.log(`\n=== ${label} ===`);
  const started = Date.now();
  const { ok, failures } = await runStep(cmd, args, env);
  results.push([label, ok, failures, Math.round((Date.now() - started) / 1000)]);
}
console.log("\n=== summary ===");
for (const [label, ok, failures, seconds] of results) {
  console.log(`${ok ? "ok    " : "FAILED"} ${label} (${seconds} s)`);
  if (!ok) for (const line of failures) console.log(`         ${line}`);
}
const runtimes = results.filter(([label]) => ["node", "bun (against Valkey 8)", "deno", "compiled binary (process tests)"].includes(label));
const passed = runtimes.filter(([, ok]) => ok).length;
console.log(`(suites run on: ${runtimes.map(([label]) => label).join("; ")})`);
console.log(`runtimes: ${passed} passed, ${runtimes.length - passed} failed`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
