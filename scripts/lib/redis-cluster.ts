/**
 * A private Redis Cluster for one test file: 3 primaries and 3 replicas by default, each a
 * redis-server with `--cluster-enabled yes` on free loopback ports (its own dir, startRedis), joined
 * with `redis-cli --cluster create`, stopped afterwards. Tests reach it with `url`
 * (redis+cluster://...) as a user would, and fail its primaries over on purpose.
 */
import { spawnSync } from "node:child_process";
import { freePort, startRedis, type TestRedis } from "./redis-server.ts";
import { until as waitUntil } from "./until.ts";

export interface TestCluster {
  /** redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3> (the first primaries as startup nodes). */
  url: string;
  /** Every node; the first `primaries` were the primaries at the start. */
  servers: TestRedis[];
  /** The node serving `slot` now, as a live node's CLUSTER SLOTS says. */
  primaryOf(slot: number): Promise<TestRedis>;
  /** The nodes replicating `primary` now. */
  replicasOf(primary: TestRedis): Promise<TestRedis[]>;
  /**
   * `CLUSTER FAILOVER` on a replica of the node serving `slot` (a coordinated switch: the replica
   * catches up with its primary, which holds its clients meanwhile); resolves with the new primary
   * once every live node agrees.
   */
  failover(slot: number): Promise<TestRedis>;
  /** Resolves once every live node says a node other than `old` serves `slot` and it takes writes. */
  promotedFrom(old: TestRedis, slot: number, timeoutMs?: number): Promise<TestRedis>;
  /** Resolves once every live node reports cluster_state:ok and each replica is in sync. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  primaries?: number;
  /** cluster-node-timeout: how long a silent node takes to be judged failed (default 1000 ms). */
  nodeTimeoutMs?: number;
}

const until = (what: string, timeoutMs: number, check: () => Promise<boolean>) => waitUntil("Redis Cluster", what, timeoutMs, check);

/** CLUSTER SLOTS as [start, end, primary port, replica ports]. */
type SlotRange = [number, number, number, number[]];

async function slotRanges(node: TestRedis): Promise<SlotRange[]> {
  const reply = (await node.client.call("CLUSTER", "SLOTS")) as [number, number, [string, number, string], ...[string, number, string][]][];
  return reply.map(([start, end, primary, ...replicas]) => [start, end, Number(primary[1]), replicas.map((r) => Number(r[1]))]);
}

export async function startCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const primaries = options.primaries ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  if (spawnSync("redis-cli", ["--version"]).error) {
    throw new Error("redis-cli is not installed: run `npm test` (it installs it) or `apt-get install redis-tools`.");
  }
  const servers: TestRedis[] = [];
  for (let i = 0; i < primaries * 2; i++) {
    // The cluster bus listens on a port of its own (default port + 10000, which may be taken).
    const busPort = await freePort();
    servers.push(
      await startRedis({
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-port",
          String(busPort),
          "--cluster-node-timeout",
          String(nodeTimeoutMs),
          // A replica promoted soon after the start must hold what its primary held (see redis-sentinel.ts).
          "--repl-diskless-sync-delay",
          "0",
        ],
      }),
    );
  }
  const create = spawnSync(
    "redis-cli",
    ["--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", "1", "--cluster-yes"],
    { encoding: "utf8" },
  );
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
  const byPort = (port: number) => servers.find((s) => s.port === port)!;
  const live = async () => {
    const alive: TestRedis[] = [];
    for (const server of servers) if ((await server.client.ping().catch(() => "")) === "PONG") alive.push(server);
    return alive;
  };
  const cluster: TestCluster = {
    url: `redis+cluster://${servers
      .slice(0, primaries)
      .map((s) => `127.0.0.1:${s.port}`)
      .join(",")}`,
    servers,
    primaryOf: async (slot) => {
      for (const node of await live()) {
        const range = (await slotRanges(node)).find(([start, end]) => start <= slot && slot <= end);
        if (range) return byPort(range[2]);
      }
      throw new Error(`Redis Cluster: no live node knows who serves slot ${slot}`);
    },
    replicasOf: async (primary) => {
      const range = (await slotRanges(primary)).find(([, , port]) => port === primary.port);
      return (range?.[3] ?? []).map(byPort);
    },
    settled: async (timeoutMs = 60_000) => {
      await until("every node says cluster_state:ok and every replica is in sync", timeoutMs, async () => {
        const alive = await live();
        for (const node of alive) {
          if (!/cluster_state:ok/.test((await node.client.call("CLUSTER", "INFO")) as string)) return false;
          const ranges = await slotRanges(node);
          if (ranges.reduce((n, [start, end]) => n + end - start + 1, 0) !== 16384) return false;
          const replication = await node.client.info("replication");
          if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
        }
        const ranges = await slotRanges(alive[0]!);
        return ranges.every(([, , , replicas]) => replicas.length > 0);
      });
    },
    promotedFrom: async (old, slot, timeoutMs = 30_000) => {
      let promoted: TestRedis | undefined;
      await until(`a node other than port ${old.port} serves slot ${slot} and takes writes`, timeoutMs, async () => {
        const alive = (await live()).filter((s) => s !== old);
        const named = await Promise.all(
          alive.map(async (node) => (await slotRanges(node)).find(([start, end]) => start <= slot && slot <= end)?.[2]),
        );
        if (named.some((port) => port === undefined || port === old.port || port !== named[0])) return false;
        promoted = byPort(named[0]!);
        return ((await promoted.client.call("ROLE")) as string[])[0] === "master";
      });
      return promoted!;
    },
    failover: async (slot) => {
      const old = await cluster.primaryOf(slot);
      const [replica] = await cluster.replicasOf(old);
      if (!replica) throw new Error(`Redis Cluster: the primary on port ${old.port} has no replica to fail over to`);
      await replica.client.call("CLUSTER", "FAILOVER");
      return cluster.promotedFrom(old, slot);
    },
    stop: async () => {
      for (const server of servers) await server.stop();
    },
  };
  await cluster.settled();
  return cluster;
}
