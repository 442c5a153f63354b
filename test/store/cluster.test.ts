// Redis Cluster: a redis+cluster:// URL and a hash-tagged namespace ({resque}) put every key of the
// namespace in one slot, so our multi-key scripts run on a Cluster through ioredis's own Cluster
// client; an untagged namespace is refused with what to set. A real local cluster: 3 primaries,
// 3 replicas (redis-server --cluster-enabled yes, joined by redis-cli --cluster create).
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import { uniqueNamespace } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { createWebApp } from "../../src/web/app.ts";
import { ShardedResque } from "../../src/client/sharded.ts";
import { hashTag, keySlot } from "../../src/store/cluster.ts";
import { shardNamespaces, shardOf } from "../../src/store/shards.ts";
import { held, quick } from "../fixtures/jobs.ts";
import { useCluster } from "../support/fixture.ts";
import { eventually, exited, runToEnd, spawnWork } from "../support/spawn-cli.ts";

const servers = useCluster();

/** A namespace of its own for each test, in one slot. */
const tagged = (label: string) => `{${uniqueNamespace(label)}}`;

describe("Redis Cluster", () => {
  it("computes a namespace's slot as Redis does", async () => {
    const node = servers.cluster().servers[0]!.client;
    for (const name of ["{resque}", "resque", "{a}:b", "x{y}z", "{}", "{}{z}", "é{ü}", tagged("slot"), "{"]) {
      assert.equal(keySlot(`${name}:queue:q`), await node.call("CLUSTER", "KEYSLOT", `${name}:queue:q`), name);
    }
    assert.equal(hashTag("{resque}"), "resque");
    assert.equal(hashTag("{}resque"), undefined, "an empty tag is no tag");
  });

  it("refuses a namespace without a hash tag, saying what to set, in the client and the CLI", async () => {
    assert.throws(() => new Resque({ redis: servers.cluster().url, namespace: "resque" }), /set the namespace to "\{resque\}"/);
    const { code, err } = await runToEnd(["queues", "--redis", servers.cluster().url], {});
    assert.equal(code, 1);
    assert.match(err, /On a Redis Cluster the namespace must keep every key in one hash slot, and "resque" has no hash tag/);
    assert.match(err, /--namespace '\{resque\}'/);
  });

  it("refuses a database number: a Cluster has database 0 only", async () => {
    const { code, err } = await runToEnd(["queues", "--redis", `${servers.cluster().url}/3`, "--namespace", "{resque}"], {});
    assert.equal(code, 1);
    assert.match(err, /a Redis Cluster has database 0 only/);
  });

  it("the client, the CLI and a master's worker processes with its scheduler work a tagged namespace", async () => {
    const namespace = tagged("core");
    const resque = new Resque({ redis: servers.cluster().url, namespace });
    const reportKey = `${namespace}:reports`;
    try {
      await resque.enqueueTo("c", quick, "via-client");
      const home = await servers.cluster().primaryOf(keySlot(namespace));
      assert.equal(await home.client.llen(`${namespace}:queue:c`), 1, "the job is on the primary serving the namespace's slot");
      assert.deepEqual((await resque.info()).servers, [servers.cluster().url]);

      const cli = (...args: string[]) => runToEnd([...args, "--redis", servers.cluster().url, "--namespace", namespace], {});
      const enqueued = await cli("enqueue", "Quick", "via-cli", "--queue", "c");
      assert.equal(enqueued.code, 0, enqueued.err);
      const later = await cli("enqueue", "Quick", "delayed", "--queue", "c", "--in", "1");
      assert.equal(later.code, 0, later.err);
      const unknown = await cli("enqueue", "NoSuchJob", "x", "--queue", "c");
      assert.equal(unknown.code, 0, unknown.err);

      const master = spawnWork({
        url: servers.cluster().url,
        namespace,
        reportKey,
        queue: "c",
        env: { TEST_REPORT_URL: servers.reports().url, WORKER_COUNT: "2", RESQUE_SCHEDULER: "1" },
      });
      let log = "";
      master.stderr?.on("data", (d) => (log += d));
      master.stdout?.on("data", (d) => (log += d));
      await eventually(async () => (await servers.reports().client.llen(reportKey)) === 3, "both jobs and the delayed one done", 1200);
      assert.deepEqual((await servers.reports().client.lrange(reportKey, 0, -1)).sort(), [
        "done delayed",
        "done via-cli",
        "done via-client",
      ]);
      await eventually(async () => (await resque.info()).failed === 1, "the unknown class recorded as failed");
      await eventually(async () => (await resque.workers()).length === 2, "both worker processes registered");

      const views = await Promise.all([cli("queues"), cli("workers"), cli("failed", "list"), cli("stats")]);
      for (const view of views) assert.equal(view.code, 0, view.err);
      assert.match(views[1]!.out, /c/);
      assert.match(views[2]!.out, /NoSuchJob/);
      const retried = await cli("failed", "retry", "0");
      assert.equal(retried.code, 0, retried.err);
      await eventually(async () => (await resque.info()).failed === 2, "the retried job run (and failed) again");
      const info = await resque.info();
      assert.equal(info.processed, 5);

      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0, log);
      await eventually(async () => (await resque.workers()).length === 0, "the workers unregistered");
      assert.deepEqual(await home.client.keys(`${namespace}:inflight:*`), [], "nothing left in flight");
    } finally {
      await resque.close();
    }
  });

  it("after CLUSTER FAILOVER the worker and the client follow the new primary; every job runs once", async () => {
    const namespace = tagged("failover");
    const slot = keySlot(namespace);
    const reportKey = `${namespace}:reports`;
    const resque = new Resque({ redis: servers.cluster().url, namespace });
    const worker = spawnWork({
      url: servers.cluster().url,
      namespace,
      reportKey,
      queue: "f",
      env: { TEST_REPORT_URL: servers.reports().url },
    });
    let log = "";
    worker.stderr?.on("data", (d) => (log += d));
    worker.stdout?.on("data", (d) => (log += d));
    try {
      for (let i = 0; i < 20; i++) await resque.enqueueTo("f", quick, `before-${i}`);
      await eventually(async () => (await servers.reports().client.llen(reportKey)) === 20, "the jobs enqueued before the failover done");
      const old = await servers.cluster().primaryOf(slot);
      const promoted = await servers.cluster().failover(slot);
      assert.notEqual(promoted.port, old.port);
      for (let i = 0; i < 20; i++) await resque.enqueueTo("f", quick, `after-${i}`);
      await eventually(
        async () => (await servers.reports().client.llen(reportKey)) === 40,
        "the jobs enqueued after the failover done",
        1200,
      );
      const done = await servers.reports().client.lrange(reportKey, 0, -1);
      assert.equal(new Set(done).size, 40, "no job ran twice");
      await eventually(() => /Redis failover: the Cluster's slot \d+ moved from primary/.test(log), "the worker to say it moved");
      await servers.cluster().settled();
    } finally {
      process.kill(worker.pid!, "SIGQUIT");
      await exited(worker);
      await resque.close();
    }
  });

  it("shard mode: N tagged namespaces land on N primaries, the client routes each queue, one master serves them all", async () => {
    const base = uniqueNamespace("shards").replace(/:/g, "-");
    const namespaces = shardNamespaces(base, 3);
    assert.deepEqual(shardNamespaces(base, 3), namespaces, "the same names every time");
    const homes = await Promise.all(namespaces.map(async (ns) => (await servers.cluster().primaryOf(keySlot(ns))).port));
    assert.equal(new Set(homes).size, 3, `one shard per primary (${namespaces.join(", ")} on ${homes.join(", ")})`);
    assert.throws(() => shardNamespaces("{resque}", 3), /without a hash tag/);

    const resque = new ShardedResque({ redis: servers.cluster().url, namespace: base, shards: 3 });
    const reportKey = `${base}:reports`;
    const queues = Array.from({ length: 12 }, (_, i) => `q${i}`);
    try {
      for (const queue of queues) for (let j = 0; j < 5; j++) await resque.enqueueTo(queue, quick, `${queue}-${j}`);
      for (const queue of queues) {
        const shard = shardOf(queue, 3);
        const home = await servers.cluster().primaryOf(keySlot(namespaces[shard]!));
        assert.equal(await home.client.llen(`${namespaces[shard]}:queue:${queue}`), 5, `${queue} is in shard ${shard}`);
      }
      assert.equal(new Set(queues.map((q) => shardOf(q, 3))).size, 3, "these queues use every shard");
      assert.equal((await resque.info()).pending, 60);
      await resque.enqueueInWithQueue(queues[1]!, 1, quick, "delayed");

      const master = spawnWork({
        url: servers.cluster().url,
        namespace: base,
        reportKey,
        queue: "*",
        env: { TEST_REPORT_URL: servers.reports().url, RESQUE_SHARDS: "3", WORKER_COUNT: "1", RESQUE_SCHEDULER: "1" },
      });
      let log = "";
      master.stderr?.on("data", (d) => (log += d));
      master.stdout?.on("data", (d) => (log += d));
      await eventually(async () => (await servers.reports().client.llen(reportKey)) === 61, "every quick job and the delayed one", 2400);
      await eventually(async () => (await resque.info()).workers === 3, "one worker process per shard registered");
      // A job held running, in the shard its queue is in.
      const heldQueue = queues[0]!;
      const heldShard = resque.shardFor(heldQueue);
      await servers.reports().client.set(`${reportKey}:hold`, "1");
      await resque.enqueueTo(heldQueue, held, "h");
      await eventually(async () => (await servers.reports().client.lrange(reportKey, 0, -1)).includes("start h"), "the held job started");
      // A worker process killed in the middle of a job: the master settles it in that shard's namespace.
      const [holder] = (await heldShard.workers()).filter((w) => w.running.length > 0);
      assert.ok(holder, "the held job's worker is found in its shard");
      process.kill(Number(holder.id.split(":")[1]), "SIGKILL");
      await eventually(async () => (await heldShard.workers()).some((w) => w.id !== holder.id), "a replacement in that shard");
      await servers.reports().client.del(`${reportKey}:hold`);
      await eventually(
        async () => (await servers.reports().client.lrange(reportKey, 0, -1)).includes("done h"),
        "the held job run again, to the end",
        1200,
      );
      const done = (await servers.reports().client.lrange(reportKey, 0, -1)).filter((r) => r.startsWith("done "));
      assert.equal(done.length, 62, "60 jobs, the delayed one and the held one");
      assert.equal(new Set(done).size, 62, "each once");
      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0, log);
    } finally {
      await resque.close();
    }
  });

  it("the dashboard renders every page and API route for a tagged namespace on the Cluster", async () => {
    const namespace = tagged("web");
    const resque = new Resque({ redis: servers.cluster().url, namespace });
    const emptyHistory = {
      history: async () => ({ resolutionSeconds: 1, points: [] }),
      latest: () => undefined,
      subscribe: () => () => {},
    };
    const web = createWebApp({ resque, history: emptyHistory });
    try {
      await resque.enqueueTo("web-queue", quick, "x");
      const fill: Record<string, string> = { name: "web-queue", id: "nosuch:1:q", index: "0", ts: "0" };
      const paths = web.app.routes
        .filter((r) => r.method === "GET" && r.path !== "/stream")
        .map((r) =>
          r.path.replace(/:([A-Za-z]+)(\{[^}]*\})?/g, (_, param: string) =>
            r.path.startsWith("/assets/") ? "app.js" : (fill[param] ?? "x"),
          ),
        );
      for (const path of new Set(paths)) {
        const response = await web.fetch(new Request(`http://127.0.0.1${path}`));
        assert.ok(response.status < 500, `${path}: ${response.status} ${(await response.text()).slice(0, 300)}`);
      }
      const text = async (path: string) => (await web.fetch(new Request(`http://127.0.0.1${path}`))).text();
      assert.match(await text("/queues"), /web-queue/);
      assert.match(await text("/api/stats/keys"), /queue:web-queue/, "SCAN reaches the node serving the namespace");
      assert.match(await text("/api/stats/redis"), /redis_version|valkey_version/);
    } finally {
      web.close();
      await resque.close();
    }
  });
});
