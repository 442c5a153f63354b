// What src/store/ioredis-internals.ts relies on inside ioredis, each behaviour produced for real
// against a real Redis: if an ioredis upgrade renames a field, changes what it holds or rewords an
// error, a test here fails (instead of a worker silently waiting for ever on a lost reply).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis, type RedisOptions } from "ioredis";
import { freePort, startRedis, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { failureAdvice } from "../../src/store/connection-advice.ts";
import { openDb, ready } from "../../src/store/connection.ts";
import {
  failUnanswered,
  guardStream,
  isConnectionFailure,
  isReplyTimeout,
  keepQueuedThroughHandshakeFailures,
  LOST_REPLY,
  unansweredCount,
} from "../../src/store/ioredis-internals.ts";
import { parseRedisLocation } from "../../src/store/location.ts";
import { useRedis } from "../support/fixture.ts";
import { startSilentServer, type SilentServer } from "../support/silent-server.ts";

const redis = useRedis();
const PASSWORD = "pw-internals-1";
let authRedis: TestRedis;
let silent: SilentServer | undefined;
let silentPort = 0;
// A hang (an internal that no longer does its job) fails the test instead of stalling the run.
const GUARD = { timeout: 30_000 };

before(async () => {
  authRedis = await startRedis({ password: PASSWORD });
  silent = await startSilentServer();
  silentPort = silent.port;
});

after(async () => {
  await silent?.close();
  await authRedis?.stop();
});

const opened: Redis[] = [];
/** openDb's client for a plain redis:// URL, which is always a Redis (a Cluster only for redis+cluster://). */
const openPlain = (options: Parameters<typeof openDb>[0]) => {
  const db = openDb(options);
  return { ...db, redis: db.redis as Redis };
};
after(() => {
  for (const client of opened) client.disconnect();
});

/** A plain client to the test's Redis, configured as openDb's "wait" client is where it matters. */
function client(options: RedisOptions = {}): Redis {
  const c = new Redis(redis.server().url, { lazyConnect: true, autoResendUnfulfilledCommands: false, ...options });
  c.on("error", () => {});
  opened.push(c);
  return c;
}

const once = (emitter: Redis, event: string) => new Promise<void>((resolve) => emitter.once(event, () => resolve()));
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
};

/**
 * The rejection of a command whose reply was lost, which must come before the connection is ready
 * again (`readyAgain`, listened for before the loss): ioredis forgets such a command on reconnect,
 * so one still unsettled then never settles. `rejected`: rejection(command), taken as it is sent
 * (the loss can come before the step that caused it returns).
 */
async function lostBeforeReady(readyAgain: Promise<void>, rejected: Promise<Error>): Promise<Error> {
  let settled: Error | undefined;
  const lost = rejected.then((e) => (settled = e));
  await Promise.race([lost, readyAgain.then(() => new Promise((r) => setTimeout(r, 0)))]);
  assert.ok(settled, "the command whose reply was lost is still unsettled with the connection ready again");
  return settled;
}

describe("ioredis internals", () => {
  it("prevCommandQueue holds the commands awaiting a reply when a ready connection drops; failUnanswered rejects them", GUARD, async () => {
    const c = client({ retryStrategy: () => 50 });
    await c.connect();
    const id = await c.client("ID");
    const key = `internals:${Date.now()}`;
    const waiting = rejection(c.blpop(key, 0));
    // Looked at where connection.ts looks: in the "reconnecting" listener, then failUnanswered.
    type Queue = { length: number; shift?: unknown } | null | undefined;
    const seen = new Promise<{ length: number; shift: unknown } | undefined>((resolve) =>
      c.once("reconnecting", () => {
        const queue = (c as unknown as { prevCommandQueue?: Queue }).prevCommandQueue;
        resolve(queue ? { length: queue.length, shift: queue.shift } : undefined);
        failUnanswered(c);
      }),
    );
    const readyAgain = once(c, "ready");
    await redis.server().client.client("KILL", "ID", String(id));
    const queue = await seen;
    assert.ok(queue, "prevCommandQueue is set when the connection closes with a reply outstanding");
    assert.equal(queue.length, 1, "it holds the one command awaiting its reply");
    assert.equal(typeof queue.shift, "function");
    const error = await lostBeforeReady(readyAgain, waiting);
    assert.equal(error.message, LOST_REPLY);
    assert.ok(isConnectionFailure(error));
    assert.equal((c as unknown as { prevCommandQueue?: unknown }).prevCommandQueue, null, "emptied, so a reconnect resends nothing");
  });

  it("a client from openDb rejects a command whose reply was lost, instead of leaving it unsettled", GUARD, async () => {
    const db = openPlain({ redis: redis.server().url, outage: "wait" });
    opened.push(db.redis);
    const id = await db.redis.client("ID");
    const waiting = rejection(db.redis.blpop(`internals:lost:${Date.now()}`, 0));
    const readyAgain = once(db.redis, "ready");
    await redis.server().client.client("KILL", "ID", String(id));
    assert.equal((await lostBeforeReady(readyAgain, waiting)).message, LOST_REPLY);
    assert.equal(await db.redis.ping(), "PONG", "and carries on");
  });

  it("commandQueue counts the commands sent and awaiting a reply", GUARD, async () => {
    const c = client();
    await c.connect();
    assert.equal(unansweredCount(c), 0);
    const key = `internals:count:${Date.now()}`;
    const waiting = c.blpop(key, 0);
    // The PING waits behind the BLPOP on the same connection; both are sent, neither answered.
    const pinged = c.ping();
    assert.equal(unansweredCount(c), 2);
    await redis.server().client.rpush(key, "x");
    await Promise.all([waiting, pinged]);
    assert.equal(unansweredCount(c), 0);
  });

  it("stream is the socket once connected, and guardStream adds one error listener to it", async () => {
    const c = client();
    await c.connect();
    const stream = (c as unknown as { stream?: { listenerCount(event: string): number } }).stream;
    assert.ok(stream && typeof stream.listenerCount === "function", "redis.stream is the socket");
    const before = stream.listenerCount("error");
    guardStream(c);
    guardStream(c);
    assert.equal(stream.listenerCount("error"), before + 1, "one listener, however often it is called");
  });

  it(
    "recoverFromFatalError is the failed handshake's way out: patched, queued commands wait for a handshake that works",
    GUARD,
    async () => {
      assert.equal(typeof (Redis.prototype as unknown as { recoverFromFatalError?: unknown }).recoverFromFatalError, "function");
      const url = `redis://:not-${PASSWORD}@127.0.0.1:${authRedis.port}/0`;
      const unpatched = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
      const patched = new Redis(url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
      keepQueuedThroughHandshakeFailures(patched);
      const errors: Error[] = [];
      for (const c of [unpatched, patched]) {
        opened.push(c);
        c.on("error", (e: Error) => errors.push(e));
        c.connect().catch(() => {});
      }
      const stillQueued = patched.get("k");
      const wrongPass = await rejection(unpatched.get("k"));
      assert.match(wrongPass.message, /^WRONGPASS/, "unpatched, the queued command fails with the handshake's error");
      assert.match(String(errors[0]?.message), /^WRONGPASS/);
      await authRedis.client.config("SET", "requirepass", `not-${PASSWORD}`);
      try {
        assert.equal(await stillQueued, null, "patched, it waited and ran once the password was right");
      } finally {
        // The assertion client's connection was authenticated before the change and stays so.
        await authRedis.client.config("SET", "requirepass", PASSWORD);
      }
    },
  );
});

/** The first "error" event of `c`. */
const firstError = (c: Redis) => new Promise<Error & { code?: string }>((resolve) => c.once("error", resolve));

describe("ioredis error texts", () => {
  it("a closed port: the connection fails with ECONNREFUSED, and a command then with 'Connection is closed'", GUARD, async () => {
    const port = await freePort();
    const c = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    opened.push(c);
    const refused = firstError(c);
    c.connect().catch(() => {});
    assert.equal((await refused).code, "ECONNREFUSED");
    if (c.status !== "end") await once(c, "end");
    const closed = await rejection(c.get("k"));
    assert.match(closed.message, /^Connection is closed/);
    assert.ok(isConnectionFailure(closed));
  });

  it("a command while the connection is still opening, without an offline queue: 'Stream isn't writeable'", GUARD, async () => {
    const c = client({ enableOfflineQueue: false });
    const connecting = c.connect();
    const error = await rejection(c.get("k"));
    await connecting;
    assert.match(error.message, /^Stream isn't writeable/);
    assert.ok(isConnectionFailure(error));
  });

  it("a server that stops answering: 'Command timed out' (commandTimeout, the CLI's client)", GUARD, async () => {
    const db = openPlain({ redis: redis.server().url, outage: "fail", timeoutMs: 200 });
    opened.push(db.redis);
    db.redis.on("error", () => {});
    await ready(db);
    // CLIENT PAUSE: the server holds every client's commands for 600 ms, so no reply comes in 200.
    await redis.server().client.client("PAUSE", 600, "ALL");
    const error = await rejection(db.redis.get("k"));
    assert.equal(error.message, "Command timed out");
    assert.ok(isConnectionFailure(error) && isReplyTimeout(error.message));
  });

  it(
    "a server that stops answering: 'Socket timeout' (socketTimeout, the worker's client), and the command's reply is lost",
    GUARD,
    async () => {
      const db = openPlain({ redis: redis.server().url, outage: "wait", timeoutMs: 200 });
      opened.push(db.redis);
      assert.equal(await db.redis.ping(), "PONG");
      const socketError = firstError(db.redis);
      const readyAgain = once(db.redis, "ready");
      await redis.server().client.client("PAUSE", 600, "ALL");
      const lost = await lostBeforeReady(readyAgain, rejection(db.redis.get("k")));
      const error = await socketError;
      assert.match(error.message, /^Socket timeout/);
      assert.ok(isReplyTimeout(error.message));
      assert.equal(lost.message, LOST_REPLY);
    },
  );

  it("a server that never answers at all: the handshake times out with one of the same texts", GUARD, async () => {
    const c = new Redis({ port: silentPort, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, commandTimeout: 200 });
    opened.push(c);
    const error = firstError(c);
    c.connect().catch(() => {});
    assert.ok(isReplyTimeout((await error).message), (await error).message);
  });

  it("authentication refused (WRONGPASS) or required (NOAUTH) reads as REDIS_AUTH advice", GUARD, async () => {
    const facts = { location: parseRedisLocation(`127.0.0.1:${authRedis.port}`), timeoutMs: 1000, tls: false };
    for (const password of [`not-${PASSWORD}`, undefined]) {
      const c = new Redis({ port: authRedis.port, host: "127.0.0.1", password, lazyConnect: true, retryStrategy: () => null });
      opened.push(c);
      const error = firstError(c);
      c.connect().catch(() => {});
      assert.match((await error).message, password ? /^WRONGPASS/ : /^NOAUTH/);
      assert.equal(failureAdvice(facts, await error).code, "REDIS_AUTH");
    }
  });
});
