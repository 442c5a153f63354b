import assert from "node:assert/strict";
import { hostname } from "node:os";
import process from "node:process";
import { describe, it } from "node:test";
import { defineJob } from "../../src/index.ts";
import { currentRuntime } from "../../src/runtime/detect.ts";
import { writeMaster } from "../../src/store/processes.ts";
import { registryOf, useRedis, workerFor } from "../support/fixture.ts";
import { eventually, exited, spawnWork } from "../support/spawn-cli.ts";

const redis = useRedis();

describe("process tree", () => {
  it("the runtime knows its parent and its resident memory", () => {
    const runtime = currentRuntime();
    assert.equal(runtime.ppid, process.ppid);
    assert.ok(runtime.rss() > 1 << 20, `rss ${runtime.rss()}`);
  });

  it("shows hosts, masters with their worker processes, inline workers, and stock workers as orphans", async () => {
    const resque = redis.open("tree");
    const r = resque.db.redis;
    const reportKey = `${resque.db.keys.namespace}:report`;
    await r.set(`${reportKey}:hold`, "1");
    await resque.enqueueTo("t", "Held", "a");
    const master = spawnWork({
      url: redis.server().url,
      namespace: resque.db.keys.namespace,
      reportKey,
      queue: "t",
      env: { WORKER_COUNT: "2", THREAD_COUNT: "2", RESQUE_HEARTBEAT_INTERVAL: "1" },
    });
    const stock = "rubyhost:4242:t";
    await r.sadd(resque.db.keys.workers, stock);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const inline = defineJob("Inline", { perform: () => released });
    await resque.enqueueTo("inline", inline);
    const worker = workerFor(resque, registryOf(inline), "inline", { heartbeatInterval: 1 });
    const working = worker.work();
    try {
      const tree = await eventually(async () => {
        const t = await resque.processTree();
        const host = t.hosts.find((h) => h.host === hostname());
        const m = host?.masters.find((x) => x.pid === master.pid);
        return m && m.workers.length === 2 && m.workers.some((w) => w.jobs.length === 1) && host!.workers.length === 1 && t;
      }, "a master with two worker processes, one running Held");
      const host = tree.hosts.find((h) => h.host === hostname())!;
      const m = host.masters.find((x) => x.pid === master.pid)!;
      assert.ok(m.rss > 0 && m.started > 0);
      assert.match(m.title, /^resque-/);
      for (const w of m.workers) {
        assert.equal(w.ppid, master.pid);
        assert.ok(w.rss > 0);
        assert.deepEqual(w.queues, ["t"]);
        assert.ok(w.workerId.startsWith(`${hostname()}:${w.pid}:`));
      }
      const busy = m.workers.find((w) => w.jobs.length === 1)!;
      assert.equal(busy.state, "working");
      assert.equal(busy.jobs[0]!.className, "Held");
      assert.equal(busy.jobs[0]!.queue, "t");
      const [mine] = host.workers;
      assert.equal(mine!.workerId, worker.id);
      assert.equal(mine!.pid, process.pid);
      assert.deepEqual(
        tree.orphans.map((o) => [o.workerId, o.host, o.pid]),
        [[stock, "rubyhost", 4242]],
      );
      assert.ok((await r.ttl(resque.db.keys.process(worker.id))) <= 15);
      assert.ok((await r.ttl(resque.db.keys.master(`${hostname()}:${master.pid}`))) <= 15);
    } finally {
      release();
      await working;
      await r.del(`${reportKey}:hold`);
      process.kill(master.pid!, "SIGQUIT");
      await exited(master);
    }
    // Gone processes leave no records behind.
    assert.equal(await r.exists(resque.db.keys.process(worker.id)), 0);
    assert.equal(await r.zcard(resque.db.keys.masters), 0);
    const after = await resque.processTree();
    assert.deepEqual(after.hosts, []);
  });

  it("shows no master whose record expired; the reader writes nothing, the next master's write prunes them", async () => {
    const resque = redis.open("tree-stale");
    await resque.db.redis.zadd(resque.db.keys.masters, Date.now() - 60_000, "gone:1", Date.now(), "expired:2");
    const tree = await resque.processTree();
    assert.deepEqual(tree.hosts, []);
    assert.equal(await resque.db.redis.zcard(resque.db.keys.masters), 2, "a read (a --read-only dashboard's too) changes nothing");
    await writeMaster(resque.db, "live:3", JSON.stringify({ role: "master", host: "live", pid: 3 }), Date.now());
    assert.deepEqual(
      await resque.db.redis.zrange(resque.db.keys.masters, "0", "-1"),
      ["expired:2", "live:3"],
      "the stale member went with a master's write",
    );
  });
});
