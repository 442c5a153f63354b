// Stock Ruby Resque 3.0 on a Redis Cluster beside ours: redis-rb's cluster client (redis-clustering)
// under Redis::Namespace with the same hash-tagged namespace, both directions; and what does not
// work there (resque-scheduler's promotion, whose WATCH block the cluster client refuses), which the
// README says. A real local cluster: 3 primaries, 3 replicas.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { describe, it } from "node:test";
import { uniqueNamespace } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { useCluster } from "../support/fixture.ts";
import { eventually, exited, spawnWork } from "../support/spawn-cli.ts";

const root = new URL("../../", import.meta.url).pathname;
const servers = useCluster();

function ruby(namespace: string, ...args: string[]) {
  return spawnSync("ruby", ["test/compat/cluster.rb", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CLUSTER_NODES: servers.cluster().url.replace("redis+cluster://", ""), RESQUE_NAMESPACE: namespace },
  });
}

function stock(namespace: string, ...args: string[]): string {
  const run = ruby(namespace, ...args);
  assert.equal(run.status, 0, `ruby ${args.join(" ")}: ${run.stderr}`);
  return run.stdout.trim();
}

describe("stock Resque on a Redis Cluster, with a hash-tagged namespace", () => {
  it("Ruby enqueues (now and delayed) for our workers and scheduler; we enqueue for a Ruby worker", async () => {
    const namespace = `{${uniqueNamespace("ruby-cluster")}}`;
    const resque = new Resque({ redis: servers.cluster().url, namespace });
    const reportKey = `${namespace}:reports`;
    try {
      stock(namespace, "enqueue", "2");
      stock(namespace, "enqueue_in");
      assert.deepEqual(
        (await resque.peek("ours", 0, 2)).map((j) => j.raw),
        ['{"class":"Quick","args":["from-ruby-0"]}', '{"class":"Quick","args":["from-ruby-1"]}'],
      );
      assert.equal(await resque.delayedQueueScheduleSize(), 1, "Ruby's delayed job is in our view");

      const master = spawnWork({
        url: servers.cluster().url,
        namespace,
        reportKey,
        queue: "ours",
        env: { TEST_REPORT_URL: servers.reports().url, RESQUE_SCHEDULER: "1" },
      });
      await eventually(
        async () => (await servers.reports().client.llen(reportKey)) === 3,
        "Ruby's jobs, the delayed one too, run by ours",
        1200,
      );
      assert.deepEqual((await servers.reports().client.lrange(reportKey, 0, -1)).sort(), [
        "done delayed-from-ruby",
        "done from-ruby-0",
        "done from-ruby-1",
      ]);
      process.kill(master.pid!, "SIGQUIT");
      assert.equal(await exited(master), 0);

      await resque.enqueueTo("cluster", "ClusterCheck", "from-ts");
      stock(namespace, "work");
      assert.deepEqual(await resque.db.redis.lrange(`${namespace}:cluster:seen`, 0, -1), ['["ruby",["from-ts"]]']);
      const info = JSON.parse(stock(namespace, "info")) as { processed: number; pending: number };
      assert.deepEqual([info.processed, info.pending], [4, 0], "Ruby's Resque.info reads the same counters");
    } finally {
      await resque.close();
    }
  });

  it("resque-scheduler's own promotion fails on a Cluster (WATCH without a block argument): our scheduler must lead", async () => {
    const namespace = `{${uniqueNamespace("ruby-scheduler")}}`;
    stock(namespace, "enqueue_in");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const run = ruby(namespace, "promote");
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /Given block needs an argument if you use the cluster client/);
  });
});
