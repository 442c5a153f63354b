/**
 * The idle worker's wake-up: a blocking peek on each of its queues, `BLMOVE q q LEFT LEFT`. Same
 * source and destination, head to head: the job goes back where it was in the same command, so
 * the list is unchanged and nothing is taken. The reply only says "run the reserve script now";
 * jobs are still taken by that script alone, in priority order, into the in-flight list.
 */
import { Cluster, type Redis } from "ioredis";
import { home, homeOf, openBlocking, type Db } from "./connection.ts";

/** Most queues watched at once, one connection each; a longer resolved list is polled instead. */
export const WATCH_CAP = 8;

/** Wait this long for cancelled peeks to end before dropping their connections. */
const SETTLE_MS = 1000;

/** "held": a queue already held a job when the wait began (one the worker just could not take, perhaps). */
export type WatchOutcome = "job" | "held" | "timeout" | "cancelled" | "error" | "unwatched";

interface Peeker {
  redis: Redis | Cluster;
  /** CLIENT ID of the connection the current peek runs on, once known (CLIENT UNBLOCK needs it). */
  id: number | undefined;
  pending: Promise<void> | undefined;
}

/** Blocking peeks on up to WATCH_CAP queues, over connections of their own. */
export class QueueWatch {
  readonly #db: Db;
  readonly #maxBlock: number;
  readonly #peekers: (Peeker | undefined)[] = [];
  #closed = false;

  /** `maxBlockSeconds`: the longest block asked for (MAX_INTERVAL), so the reply timer allows for it. */
  constructor(db: Db, maxBlockSeconds: number) {
    this.#db = db;
    this.#maxBlock = maxBlockSeconds;
  }

  /** Until one of `queues` holds a job, `seconds` pass (> 0), or `cancelled` resolves. */
  async wait(queues: readonly string[], seconds: number, cancelled: Promise<void>): Promise<WatchOutcome> {
    if (this.#closed || queues.length === 0 || queues.length > WATCH_CAP || !(seconds > 0)) return "unwatched";
    await this.#settle();
    const peekers = queues.map(
      (_, i) => (this.#peekers[i] ??= { redis: openBlocking(this.#db, this.#maxBlock), id: undefined, pending: undefined }),
    );
    // On a Cluster, the node connection each peek will block on, known before the peek is sent.
    const connections = await Promise.race([
      Promise.all(peekers.map((p) => (p.redis instanceof Cluster ? homeOf(this.#db, p.redis) : p.redis))).catch(() => null),
      cancelled.then(() => undefined),
    ]);
    if (connections === undefined) return "cancelled";
    if (connections === null) return "error";
    const peeks = queues.map((queue, i) => this.#peek(peekers[i]!, connections[i]!, this.#db.keys.queue(queue), seconds));
    const outcome = await new Promise<WatchOutcome>((resolve) => {
      let left = peeks.length;
      void cancelled.then(() => resolve("cancelled"));
      for (const { held, head } of peeks) {
        head.then(
          async (job) => (job !== null ? resolve((await held) ? "held" : "job") : --left === 0 && resolve("timeout")),
          () => resolve("error"),
        );
      }
    });
    this.#cancel(peekers);
    return outcome;
  }

  /** Drop every connection; a peek still blocked ends at once. */
  close(): void {
    this.#closed = true;
    for (const peeker of this.#peekers.splice(0)) peeker?.redis.disconnect();
  }

  /** `held`: the queue was not empty as the peek began; `head`: the job at its head once it has one, or null at the timeout. */
  #peek(peeker: Peeker, connection: Redis, key: string, seconds: number): { held: Promise<boolean>; head: Promise<string | null> } {
    peeker.id = undefined;
    // Sent back to back on the same connection, so the id is the blocked connection's, even after a
    // reconnect. On a Cluster, CLIENT ID names no key: it goes to the node the peek's key is on.
    connection.client("ID").then(
      (id) => (peeker.id = Number(id)),
      () => {},
    );
    const held = peeker.redis.llen(key).then(
      (n) => n > 0,
      () => false,
    );
    const peek = peeker.redis.blmove(key, key, "LEFT", "LEFT", seconds);
    const pending = peek
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        if (peeker.pending === pending) peeker.pending = undefined;
      });
    peeker.pending = pending;
    return { held, head: peek };
  }

  /** End the peeks still blocked: CLIENT UNBLOCK (a null reply, as a timeout), or drop the connection. */
  #cancel(peekers: Peeker[]): void {
    for (const peeker of peekers) {
      if (!peeker.pending) continue;
      if (peeker.id === undefined) {
        this.#drop(peeker);
        continue;
      }
      const id = peeker.id;
      home(this.#db)
        .then((connection) => connection.client("UNBLOCK", id))
        .catch(() => this.#drop(peeker));
    }
  }

  /** Peeks cancelled by the last wait end before new ones start (a connection runs one command at a time). */
  async #settle(): Promise<void> {
    const pending = this.#peekers.filter((p): p is Peeker => p?.pending !== undefined);
    if (pending.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(pending.map((p) => p.pending)), new Promise((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))]);
    clearTimeout(timer);
    for (const peeker of pending) if (peeker.pending) this.#drop(peeker);
  }

  #drop(peeker: Peeker): void {
    const i = this.#peekers.indexOf(peeker);
    if (i >= 0) this.#peekers[i] = undefined;
    peeker.redis.disconnect();
  }
}
