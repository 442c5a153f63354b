/**
 * A Redis Cluster through ioredis's own Cluster client. Every key of a namespace must live in one
 * hash slot, because our scripts take several keys at once (a job, its queue, the worker's
 * in-flight list, the stats): so the namespace carries a hash tag, `{resque}`, and the whole
 * namespace is served by one primary at a time (its "home"). What this file adds to ioredis:
 * - the refusal of an untagged namespace, with what to set instead;
 * - each node connection treated like our single connection (a command whose reply was lost
 *   rejects as lost instead of being sent again, which ioredis's Cluster would do on
 *   "Connection is closed": a reserve cycle must never run twice unseen);
 * - the home node, for the commands that name no key (WAIT, SCAN, CLIENT, TIME) and must reach it;
 * - a failover seen as the home slot's primary changing address.
 */
import { Cluster, type ClusterOptions, type Redis, type RedisOptions } from "ioredis";
import { clearInterval, setInterval } from "node:timers";
import { ResqueError } from "../errors.ts";
import { failUnanswered, guardStream, keepQueuedThroughHandshakeFailures } from "./ioredis-internals.ts";
import type { ClusterLocation } from "./location.ts";

/** The hash tag of a key or namespace as Redis reads it: the text inside its first `{...}`, if not empty. */
export function hashTag(text: string): string | undefined {
  const open = text.indexOf("{");
  if (open < 0) return undefined;
  const close = text.indexOf("}", open + 1);
  return close > open + 1 ? text.slice(open + 1, close) : undefined;
}

/** Throws unless every key of `namespace` falls in one slot (the namespace starts every key, so its tag is every key's). */
export function assertClusterNamespace(namespace: string): void {
  if (hashTag(namespace) !== undefined) return;
  throw new ResqueError(
    "REDIS_LOCATION",
    `On a Redis Cluster the namespace must keep every key in one hash slot, and "${namespace}" has no hash tag: ` +
      `set the namespace to "{${namespace}}" (--namespace '{${namespace}}', RESQUE_NAMESPACE, or the namespace option). ` +
      `Ruby workers must use the same one (Resque.redis.namespace = "{${namespace}}"). ` +
      "Several namespaces with different tags spread the work over several primaries.",
  );
}

/**
 * The hash slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key when it has none,
 * modulo 16384, as Redis computes it (test/store/cluster.test.ts compares it with CLUSTER KEYSLOT).
 */
export function keySlot(key: string): number {
  let crc = 0;
  for (const byte of new TextEncoder().encode(hashTag(key) ?? key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** A Cluster client whose node connections report lost replies as lost; see the file's header. */
export function openCluster(
  location: ClusterLocation,
  nodeOptions: RedisOptions,
  options: { waiting: boolean; retry: (attempt: number) => number },
): Cluster {
  const clusterOptions: ClusterOptions = {
    redisOptions: nodeOptions,
    lazyConnect: true,
    // Commands wait for the cluster to be ready (the CLI too: it gives up when no node answers).
    enableOfflineQueue: true,
    clusterRetryStrategy: options.waiting ? options.retry : () => null,
    scaleReads: "master",
  };
  return hookNodes(new Cluster(location.nodes, clusterOptions), options.waiting);
}

/** The same cluster again on connections of its own, with other node options (a blocking command's timers). */
export function duplicateCluster(cluster: Cluster, nodeOptions: RedisOptions, waiting: boolean): Cluster {
  return hookNodes(cluster.duplicate([], { redisOptions: nodeOptions, lazyConnect: true }), waiting);
}

/**
 * A promotion changes which node serves a slot without any node closing, and commands for a dead
 * primary wait in its connection's queue until ioredis learns of the new one: ask every second.
 * Not ioredis's slotsRefreshInterval: a quit() during one of its refreshes reschedules the next
 * after the client closed, so the timer runs for ever and keeps the process from exiting (a test
 * process hung so). This one is ours, cleared on "end" and by closeDb (stopRefreshing), and never holds a process open.
 */
const REFRESH_MS = 1000;
const refreshers = new WeakMap<Cluster, () => void>();

function refreshEverySecond(cluster: Cluster): void {
  const timer = setInterval(() => {
    if (cluster.status === "ready") cluster.refreshSlotsCache();
  }, REFRESH_MS);
  timer.unref();
  const stop = () => clearInterval(timer);
  refreshers.set(cluster, stop);
  cluster.once("end", stop);
}

/** Stop a Cluster client's refreshing (closeDb, after quit or disconnect). */
export function stopRefreshing(cluster: Cluster): void {
  refreshers.get(cluster)?.();
}

function hookNodes(cluster: Cluster, waiting: boolean): Cluster {
  refreshEverySecond(cluster);
  cluster.on("+node", (node: Redis) => {
    if (waiting) keepQueuedThroughHandshakeFailures(node);
    node.on("connect", () => guardStream(node));
    node.on("error", () => guardStream(node));
    // Before ioredis's Cluster sees the connection end: what awaited a reply rejects as lost
    // (LOST_REPLY), which the Cluster passes on instead of sending it to another node.
    node.on("reconnecting", () => failUnanswered(node));
  });
  return cluster;
}

/** A node connection's `host:port`, as ioredis keys its slot map. */
const nodeKey = (node: Redis): string => `${node.options.host}:${node.options.port}`;

/** `host:port` of the primary serving `slot`, as ioredis last learned it. */
export function slotPrimary(cluster: Cluster, slot: number): string | undefined {
  return (cluster.slots[slot] as string[] | undefined)?.[0];
}

/**
 * The node connection serving `slot`: the same connection the Cluster sends that slot's keyed
 * commands on, so WAIT counts their writes and CLIENT ID names their connection.
 */
export async function homeNode(cluster: Cluster, slot: number, timeoutMs?: number): Promise<Redis> {
  if (cluster.status === "wait") await cluster.connect();
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (cluster.status === "end") throw new Error("Cluster is ended.");
    if (Date.now() > deadline) throw new Error(`No primary of the Redis Cluster serves slot ${slot}`);
    const key = cluster.status === "ready" ? slotPrimary(cluster, slot) : undefined;
    const node = key && cluster.nodes("master").find((n) => nodeKey(n) === key);
    if (node) return node;
    if (attempt === 0 && cluster.status === "ready") cluster.refreshSlotsCache();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Each Cluster node's connection behaves as our single connection does (`options`), except: no
 * host, port or database (the Cluster gives each node's, and a Cluster has database 0 only); the
 * offline queue always on (ioredis connects each node on its first command, which must wait for
 * that); no READONLY handling (a demoted Cluster primary answers MOVED, which the Cluster follows).
 */
export function clusterNodeOptions(options: RedisOptions): RedisOptions {
  const { host: _host, port: _port, db: _db, reconnectOnError: _readonly, ...rest } = options;
  return { ...rest, enableOfflineQueue: true, disconnectTimeout: 0 };
}

export interface HomeSlotChanges {
  /** ioredis learned that another node serves the slot (a promotion, CLUSTER FAILOVER); `afterMs` since the old one failed, if it did. */
  failover(from: string, to: string, afterMs: number | undefined): void;
  /** The slot's primary stopped answering (once, until it answers again or is replaced). */
  down(error: unknown): void;
  /** It answers again. */
  back(): void;
}

/** Watch who serves `slot`, and whether it answers. */
export function watchHomeSlot(cluster: Cluster, slot: number, changes: HomeSlotChanges): void {
  let primary: string | undefined;
  let lostAt: number | undefined;
  const check = () => {
    const now = slotPrimary(cluster, slot);
    if (now === undefined) return;
    if (primary !== undefined && now !== primary) {
      changes.failover(primary, now, lostAt === undefined ? undefined : Date.now() - lostAt);
      lostAt = undefined;
    }
    primary = now;
  };
  cluster.on("refresh", check);
  cluster.on("ready", check);
  cluster.on("node error", (error: unknown, key: string) => {
    if (lostAt !== undefined || (primary !== undefined && key !== primary)) return;
    lostAt = Date.now();
    changes.down(error);
  });
  cluster.on("+node", (node: Redis) => {
    node.on("ready", () => {
      if (lostAt === undefined || nodeKey(node) !== primary) return;
      lostAt = undefined;
      changes.back();
    });
  });
}
