/**
 * Opening Redis with ioredis: the location, our Lua scripts, and two behaviours: a worker
 * waits out an outage with backoff; a one-shot command (CLI) fails fast with advice.
 */
import { Redis, type RedisOptions } from "ioredis";
import { ResqueError } from "../errors.ts";
import { DEFAULT_NAMESPACE, resqueKeys, type ResqueKeys } from "../protocol/keys.ts";
import { parseRedisLocation, type RedisLocation } from "./location.ts";
import { scripts } from "./scripts.generated.ts";

/** A Redis client plus the namespace's keys: what every store function takes. */
export interface Db {
  redis: Redis;
  keys: ResqueKeys;
  location: RedisLocation;
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
}

/** Backoff between reconnect attempts: 100 ms doubling to 5 s. */
export const reconnectDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5000);

export function unreachableMessage(location: RedisLocation, cause?: unknown): string {
  const why = (cause as { code?: string } | undefined)?.code === "ECONNREFUSED" ? "refused the connection" : "is not reachable";
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : "";
  return `Redis at ${location.address} ${why}${detail}; start redis-server or pass --redis URL (REDIS_URL).`;
}

/** Open a client. Nothing is sent until the first command; use `ready` to wait for the server. */
export function openDb(options: ConnectOptions = {}): Db {
  const location = parseRedisLocation(options.redis);
  const waiting = (options.outage ?? "wait") === "wait";
  const redisOptions: RedisOptions = {
    host: location.host,
    port: location.port,
    db: location.db,
    username: location.username,
    password: location.password,
    tls: location.tls ? {} : undefined,
    lazyConnect: true,
    // A command lost with a dropped connection must not run twice: the worker reconciles instead.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: waiting ? null : 0,
    retryStrategy: waiting ? reconnectDelay : () => null,
    enableOfflineQueue: waiting,
  };
  const redis = new Redis(redisOptions);
  for (const script of Object.values(scripts)) {
    redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
  }
  let down = false;
  redis.on("error", (error: unknown) => {
    lastErrors.set(redis, error);
    if (down) return;
    down = true;
    options.onOutage?.(unreachableMessage(location, error));
  });
  redis.on("reconnecting", () => failUnanswered(redis));
  redis.on("ready", () => {
    if (down) options.onOutage?.(undefined);
    down = false;
  });
  const namespace = options.namespace ?? location.namespace ?? DEFAULT_NAMESPACE;
  return { redis, keys: resqueKeys(namespace), location };
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

// The socket's own error (ECONNREFUSED, ENOTFOUND) says more than the command's "Connection is closed".
const lastErrors = new WeakMap<Redis, unknown>();

/** Connect now; a "fail" client throws a ResqueError whose message is the advice. */
export async function ready(db: Db): Promise<Db> {
  try {
    if (db.redis.status === "wait") await db.redis.connect();
    await db.redis.ping();
    return db;
  } catch (error) {
    const cause = lastErrors.get(db.redis) ?? error;
    throw new ResqueError("REDIS_UNREACHABLE", unreachableMessage(db.location, cause), { cause });
  }
}

export const closeDb = async (db: Db): Promise<void> => {
  // QUIT waits for its reply; while Redis is unreachable it would wait for ever, so just drop
  // the connection then (nothing is left to send: every command we care about was answered).
  if (db.redis.status !== "ready") {
    db.redis.disconnect();
    return;
  }
  await db.redis.quit().catch(() => db.redis.disconnect());
};
