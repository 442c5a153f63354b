/**
 * Opening Redis with ioredis: the location, our Lua scripts, and two behaviours: a worker
 * waits out an outage with backoff; a one-shot command (CLI) fails fast with advice. What it
 * needs from ioredis' internals (lost replies, handshake failures, the socket) is in ioredis-internals.ts.
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { ResqueError } from "../errors.ts";
import { DEFAULT_NAMESPACE, resqueKeys, type ResqueKeys } from "../protocol/keys.ts";
import {
  assertClusterNamespace,
  clusterNodeOptions,
  duplicateCluster,
  homeNode,
  keySlot,
  openCluster,
  stopRefreshing,
  watchHomeSlot,
} from "./cluster.ts";
import { failureAdvice, type ConnectionFacts } from "./connection-advice.ts";
import {
  failUnanswered,
  guardStream,
  isConnectionFailure,
  keepQueuedThroughHandshakeFailures,
  unansweredCount,
} from "./ioredis-internals.ts";
import { parseRedisLocation, type RedisLocation } from "./location.ts";
import { luaScripts } from "./scripts.generated.ts";

/**
 * A Redis client plus the namespace's keys: what every store function takes. On a Redis Cluster
 * (`redis+cluster://`) the client is ioredis's Cluster, and every key of the namespace is in one
 * slot (see cluster.ts); a command that names no key goes through `home(db)`.
 */
export interface Db {
  redis: Redis | Cluster;
  keys: ResqueKeys;
  location: RedisLocation;
}

/** PEM text (not paths) for a TLS connection. */
export interface TlsFiles {
  /** The CA that signed the server's certificate, when the system's CAs do not cover it. */
  ca?: string;
  /** A client certificate and its key, for a server started with `tls-auth-clients yes`. */
  cert?: string;
  key?: string;
}

export interface ConnectOptions {
  /** REDIS_URL / --redis, in any form stock accepts. */
  redis?: string;
  /** Overrides a namespace named in the location; default "resque". */
  namespace?: string;
  /** "wait": retry forever with backoff (workers). "fail": give up on the first failure (CLI). */
  outage?: "wait" | "fail";
  /** Told once when Redis becomes unreachable and once when it is back. */
  onOutage?: (message: string | undefined) => void;
  /** Told once per failover, when commands run again on a primary at another address than before. */
  onFailover?: (message: string) => void;
  /**
   * How long to wait for the connection and for a reply, in ms (default 5000). "fail" gives up
   * with advice; "wait" drops the silent connection (its unanswered commands reject, as when a
   * connection is lost) and reconnects with backoff.
   */
  timeoutMs?: number;
  /** Any of these turns TLS on, even for a redis:// URL or host:port (which have no other way to ask for it). */
  tls?: TlsFiles;
}

/** Used when ConnectOptions.timeoutMs is not given. */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * How long a process told to stop (QUIT, TERM, INT) waits for Redis before it leaves without it:
 * whatever it could not write stays in Redis (a worker's jobs in its in-flight list) for the next
 * worker on the host to recover, so a stop never hangs on an outage and never loses a job.
 */
export const STOP_WAIT_MS = 3000;

/** `promise`'s value, or undefined if it has not settled within `ms` (a rejection rejects). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), undefined)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Backoff between reconnect attempts: 100 ms doubling to 5 s. */
export const reconnectDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5000);

/**
 * Where ioredis connects: the host and port, or (behind Sentinel) the sentinels to ask for the
 * master, through ioredis's own Sentinel support: it asks each in turn, checks that the server it
 * reaches is the master, and with `failoverDetector` drops the connection as soon as a sentinel
 * announces +switch-master, so every command after a failover goes to the new primary.
 */
function where(location: RedisLocation, tls: object | undefined, waiting: boolean, timeoutMs: number): RedisOptions {
  const sentinel = location.sentinel;
  if (!sentinel) return { host: location.host, port: location.port };
  return {
    sentinels: sentinel.nodes,
    name: sentinel.masterName,
    role: "master",
    failoverDetector: true,
    sentinelUsername: sentinel.username,
    sentinelPassword: sentinel.password,
    // rediss+sentinel://: the sentinels speak TLS too, with the same files as the master (`tls`).
    ...(tls && { sentinelTLS: tls, enableTLSForSentinelMode: true }),
    // "wait" keeps asking the sentinels with the same backoff as a plain connection; "fail" (the CLI)
    // gives up after one round of them.
    sentinelRetryStrategy: waiting ? reconnectDelay : () => null,
    sentinelCommandTimeout: timeoutMs,
  };
}

/** Open a client. Nothing is sent until the first command; use `ready` to wait for the server. */
export function openDb(options: ConnectOptions = {}): Db {
  const location = parseRedisLocation(options.redis);
  const waiting = (options.outage ?? "wait") === "wait";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tlsFiles = Object.entries(options.tls ?? {}).filter(([, pem]) => pem !== undefined);
  const tls = location.tls || tlsFiles.length > 0;
  const redisOptions: RedisOptions = {
    ...where(location, tls ? Object.fromEntries(tlsFiles) : undefined, waiting, timeoutMs),
    db: location.db,
    username: location.username,
    password: location.password,
    tls: tls ? Object.fromEntries(tlsFiles) : undefined,
    lazyConnect: true,
    // A command lost with a dropped connection must not run twice: the worker reconciles instead.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: waiting ? null : 0,
    retryStrategy: waiting ? reconnectDelay : () => null,
    enableOfflineQueue: waiting,
    // Covers the TCP connect and, for TLS, the handshake.
    connectTimeout: timeoutMs,
    // A server that never answers would otherwise keep a CLI waiting after its error for ioredis' 2 s.
    // Behind Sentinel, 0: on +switch-master ioredis ends the old connection but destroys it only
    // after disconnectTimeout, and until then it still reads. A primary that was frozen (SIGSTOP, a
    // stalled VM) and resumes in that time answers the commands it had buffered, and a worker would
    // run jobs taken from its stale queue, jobs the new primary still holds. Destroyed at once, those
    // commands count as lost and are reconciled against the new primary (test/faults/failover-faults).
    disconnectTimeout: location.sentinel ? 0 : Math.min(timeoutMs, 2000),
    // "fail": each command (the AUTH/INFO handshake included) rejects after timeoutMs.
    // "wait": not commandTimeout, which also fires for commands held in the offline queue during
    // an outage (the worker is meant to wait those out) and leaves a hung connection open.
    // socketTimeout instead destroys a connection that sent nothing back for timeoutMs while a
    // command was pending, so its unanswered commands reject through failUnanswered and the
    // client reconnects with backoff.
    // Blocking commands (the idle worker's BLMOVE) would trip either timer when they block longer
    // than timeoutMs: they get their own connection from openBlocking, with the block time added.
    ...(waiting ? { socketTimeout: timeoutMs } : { commandTimeout: timeoutMs }),
    // A primary demoted by a failover answers writes with READONLY while clients still hold it.
    // Behind Sentinel: reconnect (the sentinels name the new primary) and send the command again,
    // safe because a READONLY reply means it did nothing. A plain URL: reconnect but let the command
    // fail, so a managed endpoint whose name moved is looked up again, and a URL that simply names
    // a replica errs instead of reconnecting in a loop.
    reconnectOnError: (error) => (/^READONLY\b/.test(error.message) ? (location.sentinel ? 2 : 1) : false),
  };
  const namespace = options.namespace ?? location.namespace ?? DEFAULT_NAMESPACE;
  const facts: ConnectionFacts = { location, timeoutMs, tls };
  if (location.cluster) {
    assertClusterNamespace(namespace);
    const cluster = openCluster(location.cluster, clusterNodeOptions(redisOptions), { waiting, retry: reconnectDelay });
    defineScripts(cluster);
    const slot = keySlot(namespace);
    connections.set(cluster, { facts, waiting, failovers: 0 });
    reportClusterChanges(cluster, slot, options);
    return { redis: cluster, keys: resqueKeys(namespace), location };
  }
  const redis = new Redis(redisOptions);
  if (waiting) keepQueuedThroughHandshakeFailures(redis);
  defineScripts(redis);
  connections.set(redis, { facts, waiting, failovers: 0 });
  let down = false;
  redis.on("connect", () => guardStream(redis));
  redis.on("error", (error: unknown) => {
    guardStream(redis);
    const connection = connections.get(redis)!;
    connection.lastError = error;
    connection.beforeReady = redis.status !== "ready";
    if (down) return;
    down = true;
    options.onOutage?.(failureAdvice(facts, error, connection.beforeReady).message);
  });
  redis.on("reconnecting", () => failUnanswered(redis));
  // The primary's address at each ready, and when the last ready connection closed: a new address
  // at the next ready is a failover (Sentinel's, or a managed endpoint that moved), told once.
  let primary: string | undefined;
  let lostAt: number | undefined;
  redis.on("close", () => {
    if (lostAt === undefined && primary !== undefined) lostAt = Date.now();
  });
  redis.on("ready", () => {
    connections.get(redis)!.lastError = undefined;
    const now = redis.stream ? `${redis.stream.remoteAddress}:${redis.stream.remotePort}` : undefined;
    if (primary !== undefined && now !== undefined && now !== primary) {
      connections.get(redis)!.failovers++;
      const after = lostAt === undefined ? "" : `; commands resumed ${Date.now() - lostAt} ms after the old connection closed`;
      options.onFailover?.(`Redis failover: ${location.sentinel?.masterName ?? "the"} primary moved from ${primary} to ${now}${after}.`);
    } else if (down) options.onOutage?.(undefined);
    primary = now ?? primary;
    lostAt = undefined;
    down = false;
  });
  return { redis, keys: resqueKeys(namespace), location };
}

function defineScripts(redis: Redis | Cluster): void {
  for (const script of Object.values(luaScripts)) {
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
}

/**
 * Outages and failovers of a Cluster as the home slot sees them (see watchHomeSlot): told once
 * each, and a failover counted for the worker's reconciliation.
 */
function reportClusterChanges(cluster: Cluster, slot: number, options: ConnectOptions): void {
  const connection = connections.get(cluster)!;
  watchHomeSlot(cluster, slot, {
    failover: (from, to, afterMs) => {
      connection.failovers++;
      const after = afterMs === undefined ? "" : `; ${afterMs} ms after its old primary stopped answering`;
      options.onFailover?.(`Redis failover: the Cluster's slot ${slot} moved from primary ${from} to ${to}${after}.`);
    },
    down: (error) => {
      connection.lastError = error;
      connection.beforeReady = cluster.status !== "ready";
      options.onOutage?.(failureAdvice(connection.facts, error, connection.beforeReady).message);
    },
    back: () => {
      connection.lastError = undefined;
      options.onOutage?.(undefined);
    },
  });
}

/**
 * The connection that serves this namespace, for commands that name no key (WAIT, SCAN, CLIENT,
 * TIME): the client itself, or on a Cluster the node serving the namespace's slot, on the same
 * connection the Cluster sends the namespace's commands on.
 */
export function home(db: Db): Promise<Redis> {
  if (!(db.redis instanceof Cluster)) return Promise.resolve(db.redis);
  const connection = connections.get(db.redis);
  // The slot of this Db's namespace: shards share one Cluster client, each with its own namespace.
  return homeNode(db.redis, keySlot(db.keys.namespace), connection?.waiting ? undefined : connection?.facts.timeoutMs);
}

/** `home` for another client of the same server, a blocking one from openBlocking. */
export function homeOf(db: Db, redis: Redis | Cluster): Promise<Redis> {
  return redis instanceof Cluster ? homeNode(redis, keySlot(db.keys.namespace)) : Promise.resolve(redis);
}

/**
 * Another connection to the same server, for commands that block up to `blockSeconds` (the idle
 * worker's BLMOVE): its reply timer allows for the block, and a dropped connection rejects what
 * was waiting, as on the main connection. Outages are reported by the main connection alone.
 */
export function openBlocking(db: Db, blockSeconds: number): Redis | Cluster {
  const timeoutMs = connections.get(db.redis)?.facts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const allowed = Math.ceil(blockSeconds * 1000) + timeoutMs;
  const waiting = connections.get(db.redis)?.waiting ?? true;
  if (db.redis instanceof Cluster) {
    const nodeOptions = db.redis.options.redisOptions ?? {};
    return duplicateCluster(
      db.redis,
      {
        ...nodeOptions,
        ...(nodeOptions.socketTimeout !== undefined && { socketTimeout: allowed }),
        ...(nodeOptions.commandTimeout !== undefined && { commandTimeout: allowed }),
      },
      waiting,
    );
  }
  const { socketTimeout, commandTimeout } = db.redis.options;
  const redis = db.redis.duplicate({
    lazyConnect: true,
    ...(socketTimeout !== undefined && { socketTimeout: allowed }),
    ...(commandTimeout !== undefined && { commandTimeout: allowed }),
  });
  if (waiting) keepQueuedThroughHandshakeFailures(redis);
  redis.on("connect", () => guardStream(redis));
  redis.on("error", () => guardStream(redis));
  redis.on("reconnecting", () => failUnanswered(redis));
  return redis;
}

interface Connection {
  facts: ConnectionFacts;
  waiting: boolean;
  /** The socket's own error (ECONNREFUSED, WRONGPASS) says more than the command's "Connection is closed". */
  lastError?: unknown;
  /** Whether lastError came before the connection was ready (handshake, AUTH, TLS). */
  beforeReady?: boolean;
  /** Times commands resumed on a primary at another address than before (see onFailover). */
  failovers: number;
}
const connections = new WeakMap<Redis | Cluster, Connection>();

/**
 * How many failovers this client has been through: a worker compares it between cycles, because
 * the promoted replica may lack the last writes it acknowledged (see Cycles.noticeFailover).
 */
export function failoversSeen(db: Db): number {
  return connections.get(db.redis)?.failovers ?? 0;
}

/**
 * A ResqueError whose message is the advice when `error` came from the connection failing
 * (unreachable, silent, refused authentication, TLS); any other error is returned unchanged.
 */
export function connectionFailure(db: Db, error: unknown): unknown {
  const connection = connections.get(db.redis);
  if (!connection || error instanceof ResqueError) return error;
  if (!isConnectionFailure(error)) return error;
  return explain(connection, error);
}

function explain(connection: Connection, error: unknown): ResqueError {
  const cause = connection.lastError ?? error;
  const { code, message } = failureAdvice(connection.facts, cause, connection.lastError ? connection.beforeReady : true);
  return new ResqueError(code, message, { cause });
}

/** Connect now; a "fail" client throws a ResqueError whose message is the advice. */
export async function ready(db: Db): Promise<Db> {
  const connection = connections.get(db.redis);
  let stop = (): void => {};
  // A failing "fail" client emits its error at once but closes only after disconnectTimeout.
  const failed = new Promise<never>((_, reject) => {
    if (!connection || connection.waiting) return;
    const onError = (error: unknown) => reject(error);
    db.redis.once("error", onError);
    stop = () => db.redis.off("error", onError);
  });
  try {
    await Promise.race([
      failed,
      (async () => {
        if (db.redis.status === "wait") await db.redis.connect();
        await db.redis.ping();
      })(),
    ]);
    return db;
  } catch (error) {
    throw explain(
      connection ?? { facts: { location: db.location, timeoutMs: DEFAULT_TIMEOUT_MS, tls: db.location.tls }, waiting: false, failovers: 0 },
      error,
    );
  } finally {
    stop();
  }
}

export const closeDb = async (db: Db): Promise<void> => {
  // QUIT waits for its reply; while Redis is unreachable it would wait for ever, so just drop
  // the connection then (nothing is left to send: every command we care about was answered).
  // A server that stopped answering can still look "ready" until the socket times out: with
  // commands still waiting for their replies, a QUIT would only wait behind them; otherwise its
  // reply (sub-millisecond from a live server) gets a second at most.
  if (db.redis instanceof Cluster) {
    stopRefreshing(db.redis);
    // quit() sends QUIT to every node and waits for each; a node that is down would hold it.
    if (
      !(await within(
        db.redis.quit().then(
          () => true,
          () => false,
        ),
        1000,
      ))
    )
      db.redis.disconnect();
    return;
  }
  if (db.redis.status !== "ready" || unansweredCount(db.redis) > 0) {
    db.redis.disconnect();
    return;
  }
  const quit = db.redis.quit().then(
    () => true,
    () => false,
  );
  // Behind Sentinel, ioredis's failover detector keeps its own connections to the sentinels after
  // QUIT; only disconnect() closes them (else they would hold the process open, and reconnect).
  if (!(await within(quit, 1000)) || db.location.sentinel) db.redis.disconnect();
};
