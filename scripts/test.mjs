#!/usr/bin/env node
// The whole suite: generated-code and type checks, then the same test files on Node, Bun and Deno.
// Fails if any runtime fails.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => `${root}node_modules/.bin/${name}`;
const files = readdirSync(`${root}test`).filter((f) => f.endsWith(".test.ts")).sort().map((f) => `test/${f}`);

const steps = [
  ["generated Lua module is current", "node", ["scripts/gen-scripts.mjs", "--check"]],
  ["generated dashboard assets module is current", "node", ["scripts/gen-assets.mjs", "--check"]],
  ["types (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "."]],
  // The package's bins run the built CLI, and a test starts bin/resque.mjs as npx would.
  ["build dist/lib", "node", ["scripts/build-lib.mjs"]],
  ["node", "node", ["--import", "tsx", "--test", "--test-concurrency=1", ...files]],
  ["bun", bin("bun"), ["test", "--timeout=120000", "--max-concurrency=1", ...files.map((f) => `./${f}`)]],
  ["deno", bin("deno"), ["test", "-A", "--no-check", ...files]],
  ["build dist/resque-worker", "node", ["scripts/build.mjs"]],
  ["benchmark, short (prints a table, asserts nothing)", "node", ["--import", "tsx", "bench/macro.ts"], { BENCH_QUICK: "1" }],
  ["compiled binary (process tests)", "node", ["--import", "tsx", "--test", "--test-concurrency=1", "test/master.test.ts", "test/signals.test.ts", "test/pool.test.ts", "test/connection.test.ts", "test/work-scheduler.test.ts", "test/web.test.ts"], { RESQUE_TEST_BINARY: `${root}dist/resque-worker` }],
  // Once, against what ships: the packed tarball in a fresh app (it starts Node, Bun and Deno itself) and the release binary;
  // then the README's marked blocks as written, from `npm ci` in a fresh copy of the checkout to a worker on each runtime.
  ["packaging (npm pack into a fresh app: Node, Bun, Deno, tsc, the release binary; the README runs)", "node", ["--import", "tsx", "--test", "--test-concurrency=1", "test/packaging/packaging.test.ts", "test/packaging/readme.test.ts"]],
  // Once, against what ships: 13 scenarios, fails on a lost job or an unexplained duplicate.
  ["fault injection (compiled binary)", "node", ["--import", "tsx", "--test", "--test-concurrency=1", "test/faults/faults.test.ts", "test/faults/scheduler-faults.test.ts"], { RESQUE_TEST_BINARY: `${root}dist/resque-worker` }],
];

const results = [];
for (const [label, cmd, args, env] of steps) {
  console.log(`\n=== ${label} ===`);
  const { status, error } = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  results.push([label, status === 0 && !error]);
}
console.log("\n=== summary ===");
for (const [label, ok] of results) console.log(`${ok ? "ok    " : "FAILED"} ${label}`);
const runtimes = results.filter(([label]) => ["node", "bun", "deno", "compiled binary (process tests)"].includes(label));
const passed = runtimes.filter(([, ok]) => ok).length;
console.log(`(suites run on: ${runtimes.map(([label]) => label).join("; ")})`);
console.log(`runtimes: ${passed} passed, ${runtimes.length - passed} failed`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
