// Redis behind Sentinel: a redis+sentinel:// URL reaches the primary through ioredis's own Sentinel
// support, for the client, the CLI and a worker under its master; after a failover each of them
// follows the new primary. A real group: 1 primary, 2 replicas, 3 sentinels.
import type { Redis } from "ioredis";
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { startSentinelGroup, type SentinelGroup } from "../../scripts/lib/redis-sentinel.ts";
import { Resque } from "../../src/client/resque.ts";
import { quick } from "../fixtures/jobs.ts";
import { eventually, exited, killSpawned, runToEnd, spawnWork } from "../support/spawn-cli.ts";

let group: SentinelGroup;
/** Where jobs report (outside the group, so a failover cannot lose a report). */
let reports: TestRedis;

before(async () => {
  group = await startSentinelGroup();
  reports = await startRedis();
});
after(async () => {
  killSpawned();
  await group?.stop();
  await reports?.stop();
});

describe("Redis behind Sentinel", () => {
  it("the client, the CLI and a worker reach the primary through a redis+sentinel:// URL", async () => {
    const namespace = uniqueNamespace("sentinel");
    const resque = new Resque({ redis: group.url, namespace });
    try {
      await resque.enqueueTo("s", quick, "via-client");
      const primary = await group.primary();
      assert.equal(await primary.client.llen(`${namespace}:queue:s`), 1, "the job is on the primary the sentinels name");
      assert.deepEqual((await resque.info()).servers, [group.url], "views name the Sentinel URL, not one server");

      const cli = await runToEnd(["enqueue", "Quick", "via-cli", "--queue", "s", "--redis", group.url, "--namespace", namespace], {});
      assert.equal(cli.code, 0, cli.err);
      assert.equal(await primary.client.llen(`${namespace}:queue:s`), 2);

      const reportKey = `${namespace}:reports`;
      const worker = spawnWork({ url: group.url, namespace, reportKey, queue: "s", env: { TEST_REPORT_URL: reports.url } });
      await eventually(async () => (await reports.client.llen(reportKey)) === 2, "both jobs done");
      assert.deepEqual((await reports.client.lrange(reportKey, 0, -1)).sort(), ["done via-cli", "done via-client"]);
      process.kill(worker.pid!, "SIGQUIT"); // not child.kill: under Deno that QUIT ended the worker unhandled (exit code null)
      assert.equal(await exited(worker), 0);
    } finally {
      await resque.close();
    }
  });

  it("a wrong master name is refused with advice naming the sentinels asked", async () => {
    const wrong = group.url.replace(`/${group.masterName}/`, "/nosuchmaster/");
    const { code, err } = await runToEnd(["queues", "--redis", wrong], {});
    assert.notEqual(code, 0);
    assert.match(err, /No sentinel at 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ gave the address of master "nosuchmaster"/);
  });

  it("after a failover the worker and the client follow the new primary; jobs before and after it all run once", async () => {
    const namespace = uniqueNamespace("failover");
    const reportKey = `${namespace}:reports`;
    const resque = new Resque({ redis: group.url, namespace });
    const worker = spawnWork({ url: group.url, namespace, reportKey, queue: "f", env: { TEST_REPORT_URL: reports.url } });
    let log = "";
    worker.stderr?.on("data", (d) => (log += d));
    worker.stdout?.on("data", (d) => (log += d));
    try {
      for (let i = 0; i < 20; i++) await resque.enqueueTo("f", quick, `before-${i}`);
      await eventually(async () => (await reports.client.llen(reportKey)) === 20, "the jobs enqueued before the failover done");
      const old = await group.primary();
      const promoted = await group.failover();
      assert.notEqual(promoted.port, old.port);
      // Until a client hears +switch-master, the old primary may still take its writes, and they go
      // when the old primary is made a replica (a full sync): the window README's "What a failover
      // does to jobs" describes; this test is not about that window. So
      // go on once the client and the worker's master have moved, as each says it has.
      await eventually(() => (resque.db.redis as Redis).stream?.remotePort === promoted.port, "the client on the new primary", 1200);
      await eventually(() => /Redis failover: resquetest primary moved/.test(log), "the master to have moved", 1200);
      for (let i = 0; i < 20; i++) await resque.enqueueTo("f", quick, `after-${i}`);
      await eventually(async () => (await reports.client.llen(reportKey)) === 40, "the jobs enqueued after the failover done", 2400);
      const done = await reports.client.lrange(reportKey, 0, -1);
      assert.equal(new Set(done).size, 40, "each job ran once");
      // A job reports from inside perform; the worker records it done in its next cycle, just after.
      const processed = () => promoted.client.get(`${namespace}:stat:processed`).then(Number);
      await eventually(async () => (await processed()) === 40, "all 40 counted on the new primary", 400).catch(async (error) => {
        assert.equal(await processed(), 40, `counted on the new primary (${error})`);
      });
      assert.match(log, /Redis failover: resquetest primary moved from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+/);
      assert.equal(log.match(/Redis failover/g)?.length, 1, `told once, by the master, not by each process:\n${log}`);
    } finally {
      process.kill(worker.pid!, "SIGQUIT"); // not child.kill: under Deno that QUIT ended the worker unhandled (exit code null)
      await exited(worker);
      await resque.close();
    }
  });
});
