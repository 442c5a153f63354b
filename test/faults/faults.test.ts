/**
 * The fault-injection suite: each scenario runs a known set of jobs through `resque work`,
 * injects one fault, and counts completed / failed / lost / duplicated. Lost must be 0, and a
 * job may run twice only if a worker process died while it was in flight. `npm test` runs it
 * against the compiled binary (RESQUE_TEST_BINARY); it runs as well on any runtime from source.
 */
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { killSpawned, exited } from "../support/spawn-cli.ts";
import { runScenario, type Counts, type Scenario } from "./harness.ts";

let server: TestRedis;
const table: Counts[] = [];
before(async () => {
  server = await startRedis();
});
after(async () => {
  killSpawned();
  await server.stop();
  console.log("\nFault injection (crash-safe fetch, the default):");
  console.table(table);
});

const JOBS = 20_000;

const untilDrained = async (ctx: Parameters<Scenario["inject"]>[0], every: number, fault: () => Promise<void>) => {
  await ctx.sleep(every);
  while ((await ctx.queueLength()) > 0) {
    await fault();
    await ctx.sleep(every);
  }
};

/** Stop the master with `signal` mid-run, wait for it and its processes, then start another. */
const stopAndRestart = (signal: NodeJS.Signals) => async (ctx: Parameters<Scenario["inject"]>[0]) => {
  await ctx.sleep(700);
  process.kill(ctx.master().pid!, signal);
  await exited(ctx.master());
  for (let i = 0; i < 400 && (await ctx.workerPids()).length > 0; i++) await ctx.sleep(25);
  ctx.restartMaster();
};

const malformed = [
  { label: "not JSON", raw: "not json at all {", expect: { failedContaining: "not json at all {" } },
  { label: "not an object", raw: "[1,2,3]", expect: { failedContaining: "[1,2,3]" } },
  { label: "no class", raw: '{"args":["no-class"]}', expect: { failedContaining: "no-class" } },
  { label: "unknown class", raw: '{"class":"NoSuchJob","args":["unknown"]}', expect: { failedContaining: "NoSuchJob" } },
  { label: "args not an array", raw: '{"class":"Record","args":"not-an-array"}', expect: { failedContaining: "not-an-array" } },
  {
    label: "invalid UTF-8",
    raw: Buffer.concat([Buffer.from('{"class":"Record","args":["bad-utf8-'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"]}')]),
    expect: { failedContaining: "bad-utf8-\\\\xFF\\\\xFE\\\\xC3" },
  },
  { label: "10 MB payload", raw: `{"class":"Record","args":["big",0,"${"x".repeat(10 << 20)}"]}`, expect: { completed: "big" } },
];

const scenarios: Scenario[] = [
  {
    name: "SIGKILL a random worker process every 300 ms",
    jobs: JOBS,
    sleepMs: 2,
    inject: (ctx) =>
      untilDrained(ctx, 300, async () => {
        const pids = await ctx.workerPids();
        const victim = pids[Math.floor(Math.random() * pids.length)];
        if (victim) process.kill(victim, "SIGKILL");
      }),
  },
  { name: "SIGKILL the master mid-run (then a new one)", jobs: JOBS, sleepMs: 2, inject: stopAndRestart("SIGKILL") },
  { name: "SIGTERM the master mid-run (then a new one)", jobs: JOBS, sleepMs: 2, inject: stopAndRestart("SIGTERM") },
  { name: "SIGQUIT the master mid-run (then a new one)", jobs: JOBS, sleepMs: 2, inject: stopAndRestart("SIGQUIT") },
  {
    name: "Redis restarted mid-run (AOF on)",
    jobs: JOBS,
    sleepMs: 2,
    inject: async (ctx) => {
      await ctx.sleep(700);
      await ctx.server.restart();
    },
  },
  {
    name: "client connections killed every 250 ms",
    jobs: JOBS,
    sleepMs: 2,
    inject: (ctx) =>
      untilDrained(ctx, 250, async () => {
        await ctx.redis.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      }),
  },
  {
    name: "a poison job that kills its process every time",
    jobs: 2000,
    sleepMs: 2,
    extras: [{ label: "poison", raw: '{"class":"Poison","args":[]}', expect: { failedContaining: '"Poison"' } }],
    inject: async () => {},
    exceptions: ["Resque::PoisonJob"],
  },
  {
    name: "a job whose promise never settles (timeout 1 s)",
    jobs: 2000,
    sleepMs: 2,
    extras: [{ label: "hang", raw: '{"class":"Hang","args":[]}', expect: { failedContaining: '"Hang"' } }],
    inject: async () => {},
    exceptions: ["Resque::JobTimeout"],
  },
  {
    name: "a job that blocks its event loop (WATCHDOG_TIMEOUT 2 s)",
    jobs: 2000,
    sleepMs: 2,
    env: { WATCHDOG_TIMEOUT: "2" },
    extras: [{ label: "block", raw: '{"class":"Block","args":[]}', expect: { failedContaining: '"Block"' } }],
    inject: async () => {},
    exceptions: ["Resque::PoisonJob"],
  },
  {
    name: "a job that calls process.exit(0)",
    jobs: 2000,
    sleepMs: 2,
    extras: [{ label: "exit", raw: '{"class":"ExitZero","args":[]}', expect: { failedContaining: '"ExitZero"' } }],
    inject: async () => {},
    exceptions: ["Resque::PoisonJob"],
  },
  {
    name: "thrown values with throwing getters or no prototype",
    jobs: 2000,
    sleepMs: 2,
    extras: [
      { label: "getter", raw: '{"class":"ThrowWeird","args":["getter"]}', expect: { failedContaining: '"getter"' } },
      { label: "null-prototype", raw: '{"class":"ThrowWeird","args":["null-prototype"]}', expect: { failedContaining: '"null-prototype"' } },
    ],
    inject: async () => {},
    exceptions: ["ThrowingMessage", "Error"],
  },
  {
    name: "Redis restarted empty under an idle pool, then the jobs",
    jobs: 20000,
    sleepMs: 2,
    env: { RESQUE_HEARTBEAT_INTERVAL: "1" },
    beforeEnqueue: async (ctx) => {
      for (let i = 0; i < 400 && (await ctx.workerPids()).length < 2; i++) await ctx.sleep(25);
      await ctx.server.restart({ empty: true });
      // Live workers register again by themselves (they check every 5 s).
      for (let i = 0; i < 800 && (await ctx.workerPids()).length < 2; i++) await ctx.sleep(25);
      assert.equal((await ctx.workerPids()).length, 2, "both worker processes registered again");
    },
    inject: (ctx) => ctx.sleep(3000),
  },
  {
    name: "malformed payloads mixed into the queue",
    jobs: 2000,
    sleepMs: 0,
    extras: malformed,
    inject: async () => {},
    exceptions: ["NameError", ...Array(5).fill("Resque::MalformedPayload")],
  },
];

describe("fault injection: no job lost", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const counts = await runScenario(server, scenario);
      const { lostIds, unexplained, exceptions, ...row } = counts;
      table.push(row);
      assert.deepEqual(lostIds, [], "lost jobs");
      assert.deepEqual(exceptions.sort(), (scenario.exceptions ?? []).sort(), "failure records");
      assert.deepEqual(unexplained, [], "jobs run twice although no process died with them");
    });
  }
});
