/**
 * The README runs: every block a user is meant to run is marked `<!-- readme-test: NAME -->` in
 * README.md's source, and this file runs each one as written, in the order a newcomer meets them:
 *   1. `pack`: in a fresh copy of this checkout (its files, no node_modules), `npm pack` first
 *      alone (it must say to run `npm ci`), then the README's block (`npm ci`, `npm pack`).
 *   2. `app`: a fresh app beside it with `npm init -y` and the rest of the block, installing the
 *      tarball that block made (its dependencies come from the npm registry or npm's cache).
 *   3. `file jobs.ts`, `file enqueue.ts`: written into the app as they stand.
 *   4. `enqueue` then `work`, one line of each per runtime (each line names its runtime in its
 *      comment): the enqueue line runs to its end, the worker is started, seen working the job
 *      (its output and Redis), and stopped with TERM.
 *   5. the blocks past the Quickstart (Jobs, Delayed jobs, schedules, retries, ActiveJob, pools,
 *      the dashboard), in the same app on Node: readme-examples.ts.
 * Every fenced block in the README carries a marker: one nobody decided about fails the first test.
 * Commands that use the default Redis get a private redis-server through REDIS_URL, which the
 * CLI and the README's enqueue script read. The binary is dist/resque-worker (`node
 * scripts/build.mjs`), copied into the app as the Install section's download would put it.
 * Blocks marked `not run (why)` are listed with their reason; test/packaging/packaging.test.ts
 * runs `deno-stats` and `binary`. `npm test` runs this file once, in its packaging step.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { EXAMPLE_MARKERS, exampleTests } from "./readme-examples.ts";
import { baseEnv, bin, manifest, markedBlocks, readmeBlock, root, run, startLong, unmarkedBlocks, waitFor, type Env } from "./support.ts";

/** Every executed marker, and the test file that runs it. */
const EXECUTED: Record<string, string> = {
  pack: "readme.test.ts",
  app: "readme.test.ts",
  "file jobs.ts": "readme.test.ts",
  "file enqueue.ts": "readme.test.ts",
  enqueue: "readme.test.ts",
  work: "readme.test.ts",
  "deno-stats": "packaging.test.ts",
  binary: "packaging.test.ts",
  ...Object.fromEntries(EXAMPLE_MARKERS.map((name) => [name, "readme-examples.ts"])),
};

const binary = process.env["RESQUE_TEST_BINARY"] ?? `${root}dist/resque-worker`;
const tarball = `${manifest.name}-${manifest.version}.tgz`;

let redis: TestRedis;
let work: string;
let clone: string;
let app: string;
let env: Env;

/** The lines of a marked block, by the runtime their comment names (`# Node 20`, `# Bun`, ...). */
function linesByRuntime(name: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of readmeBlock(name).split("\n")) {
    const label = /#\s*(Node >= 22\.18|Node 20|Node|Bun|Deno|the binary)\b/.exec(line)?.[1];
    if (label) lines.set(label, line);
  }
  return lines;
}

/** Whether the `node` on PATH runs TypeScript itself (Node >= 22.18); Bun's and Deno's say yes, so ask it. */
function nodeRunsTypeScript(): boolean {
  return spawnSync("node", ["-p", "Boolean(process.features.typescript)"], { encoding: "utf8", env }).stdout.trim() === "true";
}

async function counts(): Promise<{ queued: number; processed: number; failed: number }> {
  const [queued, processed, failed] = await Promise.all([
    redis.client.llen("resque:queue:archive"),
    redis.client.get("resque:stat:processed"),
    redis.client.llen("resque:failed"),
  ]);
  return { queued, processed: Number(processed ?? 0), failed };
}

/**
 * A long-running README line (a worker): started as its own process group in the app, watched
 * until it has worked one more job than before, then stopped with TERM as a user's Ctrl-C or
 * `kill` would. Fails with its output if it exits early, never works the job, or ignores TERM.
 */
async function workOneJob(line: string): Promise<string> {
  const before = await counts();
  const worker = startLong(line, { cwd: app, env });
  try {
    const worked = await waitFor(
      async () => /archived 42, compressed/.test(worker.output()) && (await counts()).processed === before.processed + 1,
      () => worker.exited(),
      120,
    );
    assert.ok(
      worked,
      `\`${line}\` did not work the job (${worker.exited() ? "it exited" : "still running after 120 s"}):\n${worker.output()}`,
    );
  } finally {
    await worker.stop();
  }
  const now = await counts();
  assert.deepEqual(now, { queued: 0, processed: before.processed + 1, failed: before.failed }, worker.output());
  return worker.output();
}

before(async () => {
  redis = await startRedis();
  work = mkdtempSync(join(tmpdir(), "resque-readme-"));
  clone = join(work, "resque-ts");
  app = join(work, "hello-resque");
  // The README's commands name bun, bunx and deno as a user's PATH has them; give it exactly
  // those (not the checkout's whole node_modules/.bin, whose tsx or tsc would hide a missing one).
  const tools = join(work, "tools");
  mkdirSync(tools);
  for (const tool of ["bun", "bunx", "deno"]) symlinkSync(bin(tool), join(tools, tool));
  env = { ...baseEnv, PATH: `${tools}:${process.env["PATH"]}`, REDIS_URL: redis.url };
  // A worker setting in the caller's environment would change what the README's lines do.
  for (const name of [
    "QUEUE",
    "QUEUES",
    "INTERVAL",
    "RESQUE_NAMESPACE",
    "RESQUE_REQUIRE",
    "WORKER_COUNT",
    "COUNT",
    "DONT_FORK",
    "RESQUE_TEST_BINARY",
  ])
    delete env[name];
  // A fresh clone, without git: the files git knows of (committed or not) and new ones it does
  // not ignore, as they are in this checkout now. No node_modules (a worktree's may be a symlink,
  // which .gitignore's `node_modules/` does not match), no dist.
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (file.split("/")[0] === "node_modules" || !existsSync(join(root, file)) || !lstatSync(join(root, file)).isFile()) continue;
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(root, file), join(clone, file));
  }
});

after(async () => {
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the README runs, as a newcomer follows it", () => {
  it("marks every block of the README, and each marker is run by a test or says why not", () => {
    // An unmarked block is one nobody decided about: run it, or say why not.
    const unmarked = unmarkedBlocks();
    assert.deepEqual(
      unmarked,
      [],
      `README.md lines ${unmarked.join(", ")}: a code block without a <!-- readme-test: ... --> marker (name a test that runs it, or write "not run (why)")`,
    );
    for (const block of markedBlocks()) {
      if (block.name.startsWith("not run (")) continue;
      assert.ok(
        block.name in EXECUTED,
        `README.md line ${block.line}: no test runs <!-- readme-test: ${block.name} --> (write "not run (why)" if none should)`,
      );
    }
    for (const name of Object.keys(EXECUTED)) readmeBlock(name);
  });

  it("Install: `npm pack` in a fresh clone says to run `npm ci`; the README's block (npm ci, npm pack) makes the tarball", () => {
    const refused = run("npm", ["pack"], { cwd: clone, env, expect: 1 });
    assert.match(refused, /tsdown is not installed in this checkout\.\nRun `npm ci` in /);
    run("bash", ["-euo", "pipefail", "-c", readmeBlock("pack")], { cwd: work, env });
    assert.ok(existsSync(join(clone, tarball)), `the pack block wrote ${tarball} in the clone`);
  });

  it("Quickstart: the app block makes an app beside the clone from `npm init -y`, with the tarball (and tsx for Node 20)", () => {
    const block = readmeBlock("app");
    assert.match(block, /^npm init -y$/m, "the app starts from `npm init -y`");
    run("bash", ["-euo", "pipefail", "-c", block], { cwd: clone, env });
    // Whether the app is an ES module is for the lines below to show, as they would to a user.
    const manifestOfApp = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    assert.ok(manifestOfApp.dependencies?.[manifest.name]?.endsWith(tarball), JSON.stringify(manifestOfApp));
    writeFileSync(join(app, "jobs.ts"), readmeBlock("file jobs.ts"));
    writeFileSync(join(app, "enqueue.ts"), readmeBlock("file enqueue.ts"));
    // The Install section's download, without the download: the binary in the app's folder.
    assert.ok(existsSync(binary), `${binary} is missing: run \`node scripts/build-lib.mjs && node scripts/build.mjs\` first`);
    copyFileSync(binary, join(app, "resque-worker"));
    run("chmod", ["+x", "resque-worker"], { cwd: app, env });
  });

  // Each runtime: its enqueue line, then its work line. Node >= 22.18 shares Node's work line.
  const pairs: [enqueue: string, work: string][] = [
    ["Node 20", "Node"],
    ["Node >= 22.18", "Node"],
    ["Bun", "Bun"],
    ["Deno", "Deno"],
    ["the binary", "the binary"],
  ];
  for (const [enqueueLabel, workLabel] of pairs) {
    it(`Quickstart on ${enqueueLabel}: the enqueue line, then the work line works the job and stops on TERM`, async (t) => {
      const enqueueLine = linesByRuntime("enqueue").get(enqueueLabel);
      const workLine = linesByRuntime("work").get(workLabel);
      assert.ok(enqueueLine, `the enqueue block has a line for ${enqueueLabel}`);
      assert.ok(workLine, `the work block has a line for ${workLabel}`);
      // The Node 20 line (tsx) runs on any Node; the Node >= 22.18 one only where Node strips types.
      if (enqueueLabel === "Node >= 22.18" && !nodeRunsTypeScript()) {
        return t.skip(`node ${spawnSync("node", ["--version"], { encoding: "utf8", env }).stdout.trim()} does not run TypeScript itself`);
      }
      const before = await counts();
      run("bash", ["-euo", "pipefail", "-c", enqueueLine], { cwd: app, env });
      assert.equal((await counts()).queued, before.queued + 1, `\`${enqueueLine}\` enqueued one job`);
      await workOneJob(workLine);
    });
  }

  // The blocks past the Quickstart, on Node in the app made above (see readme-examples.ts).
  exampleTests(() => ({ dir: app, env, redis }));
});
