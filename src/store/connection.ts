/**
 * Opening Redis with ioredis: the location, our Lua scripts, and two behaviours: a worker
 * waits out an outage with backoff; a one-shot command (CLI) fails fast with advice.
 */
import { Redis, type RedisOptions } from "ioredis";
import { ResqueError } from "../errors.ts";
import { DEFAULT_NAMESPACE, resqueKeys, type ResqueKeys } from "../protocol/keys.ts";
import { failureAdvice, type ConnectionFacts } from "./connection-advice.ts";
import { parseRedisLocation, type RedisLocation } from "./location.ts";
import { luaScripts } from "./scripts.generated.ts";

/** A Redis client plus the namespace's keys: what every store function takes. */
export interface Db {
  redis: Redis;
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

/** Open a client. Nothing is sent until the first command; use `ready` to wait for the server. */
export function openDb(options: ConnectOptions = {}): Db {
  const location = parseRedisLocation(options.redis);
  const waiting = (options.outage ?? "wait") === "wait";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tlsFiles = Object.entries(options.tls ?? {}).filter(([, pem]) => pem !== undefined);
  const tls = location.tls || tlsFiles.length > 0;
  const redisOptions: RedisOptions = {
    host: location.host,
    port: location.port,
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
    disconnectTimeout: Math.min(timeoutMs, 2000),
    // "fail": each command (the AUTH/INFO handshake included) rejects after timeoutMs.
    // "wait": not commandTimeout, which also fires for commands held in the offline queue during
    // an outage (the worker is meant to wait those out) and leaves a hung connection open.
    // socketTimeout instead destroys a connection that sent nothing back for timeoutMs while a
    // command was pending, so its unanswered commands reject through failUnanswered and the
    // client reconnects with backoff.
    // Blocking commands (the idle worker's BLMOVE) would trip either timer when they block longer
    // than timeoutMs: they get their own connection from openBlocking, with the block time added.
    ...(waiting ? { socketTimeout: timeoutMs } : { commandTimeout: timeoutMs }),
  };
  const redis = new Redis(redisOptions);
  if (waiting) keepQueuedThroughHandshakeFailures(redis);
  for (const script of Object.values(luaScripts)) {
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
  const facts: ConnectionFacts = { location, timeoutMs, tls };
  connections.set(redis, { facts, waiting });
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
  redis.on("ready", () => {
    connections.get(redis)!.lastError = undefined;
    if (down) options.onOutage?.(undefined);
    down = false;
  });
  const namespace = options.namespace ?? location.namespace ?? DEFAULT_NAMESPACE;
  return { redis, keys: resqueKeys(namespace), location };
}

/**
 * Another connection to the same server, for commands that block up to `blockSeconds` (the idle
 * worker's BLMOVE): its reply timer allows for the block, and a dropped connection rejects what
 * was waiting, as on the main connection. Outages are reported by the main connection alone.
 */
export function openBlocking(db: Db, blockSeconds: number): Redis {
  const timeoutMs = connections.get(db.redis)?.facts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const allowed = Math.ceil(blockSeconds * 1000) + timeoutMs;
  const { socketTimeout, commandTimeout } = db.redis.options;
  const redis = db.redis.duplicate({
    lazyConnect: true,
    ...(socketTimeout !== undefined && { socketTimeout: allowed }),
    ...(commandTimeout !== undefined && { commandTimeout: allowed }),
  });
  if (connections.get(db.redis)?.waiting) keepQueuedThroughHandshakeFailures(redis);
  redis.on("connect", () => guardStream(redis));
  redis.on("error", () => guardStream(redis));
  redis.on("reconnecting", () => failUnanswered(redis));
  return redis;
}

/**
 * A handshake that fails (a wrong password: WRONGPASS / NOAUTH; a failed ready check) makes
 * ioredis reject every command waiting to be sent with that error before it reconnects. A
 * waiting client waits that out like any outage (the commands stay queued and go once the
 * handshake succeeds), instead of failing its caller at each attempt: a worker process would
 * otherwise die and be restarted in a loop, logging the same advice each time.
 */
function keepQueuedThroughHandshakeFailures(redis: Redis): void {
  const internal = redis as unknown as {
    recoverFromFatalError(commandError: unknown, error: unknown, options?: { offlineQueue?: boolean }): void;
  };
  const recover = internal.recoverFromFatalError.bind(redis);
  internal.recoverFromFatalError = (commandError, error, options) => recover(commandError, error, { ...options, offlineQueue: false });
}

interface Connection {
  facts: ConnectionFacts;
  waiting: boolean;
  /** The socket's own error (ECONNREFUSED, WRONGPASS) says more than the command's "Connection is closed". */
  lastError?: unknown;
  /** Whether lastError came before the connection was ready (handshake, AUTH, TLS). */
  beforeReady?: boolean;
}
const connections = new WeakMap<Redis, Connection>();

/**
 * Deno's TLS socket can emit a second error (EPIPE after the server's certificate alert) once
 * ioredis' single `once("error")` listener is spent, which would crash the process.
 */
const guarded = new WeakSet<object>();
function guardStream(redis: Redis): void {
  const stream = (redis as { stream?: { on(event: "error", fn: () => void): unknown } }).stream;
  if (!stream || guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", () => {});
}

/**
 * With autoResendUnfulfilledCommands off, ioredis 6 drops the commands that were awaiting a
 * reply when the connection closed and never settles their promises. Reject them instead,
 * so callers learn the outcome is unknown and can reconcile (see worker/reconcile.ts).
 */
function failUnanswered(redis: Redis): void {
  const internal = redis as unknown as { prevCommandQueue?: { length: number; shift(): { command: { reject(e: Error): void } } } | null };
  const queue = internal.prevCommandQueue;
  if (!queue) return;
  internal.prevCommandQueue = null;
  const lost = new Error("The connection to Redis closed before it replied");
  while (queue.length > 0) queue.shift().command.reject(lost);
}

// What ioredis (and failUnanswered) reject a command with when the connection, not the command, failed.
const CONNECTION_FAILED =
  /^(Command timed out|Connection is closed|Stream isn't writeable|The connection to Redis closed before it replied)/;

/**
 * A ResqueError whose message is the advice when `error` came from the connection failing
 * (unreachable, silent, refused authentication, TLS); any other error is returned unchanged.
 */
export function connectionFailure(db: Db, error: unknown): unknown {
  const connection = connections.get(db.redis);
  if (!connection || error instanceof ResqueError) return error;
  if (!(error instanceof Error) || !CONNECTION_FAILED.test(error.message)) return error;
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
      connection ?? { facts: { location: db.location, timeoutMs: DEFAULT_TIMEOUT_MS, tls: db.location.tls }, waiting: false },
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
  const unanswered = (db.redis as unknown as { commandQueue?: { length: number } }).commandQueue?.length ?? 0;
  if (db.redis.status !== "ready" || unanswered > 0) {
    db.redis.disconnect();
    return;
  }
  const quit = db.redis.quit().then(
    () => true,
    () => false,
  );
  if (!(await within(quit, 1000))) db.redis.disconnect();
};
