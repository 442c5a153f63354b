/**
 * resque-scheduler's leader lock: key `NS:NS:[PREFIX:]resque_scheduler_master_lock`, value
 * `host:pid`, TTL LOCK_TIMEOUT (180 s), acquire = SETNX+EXPIRE, renew = GET==ours -> EXPIRE.
 * Ruby and TypeScript schedulers on one Redis therefore exclude each other.
 */
import type { Db } from "../store/connection.ts";
import { acquireLock, lockHolder, releaseLock, renewLock } from "../store/scheduler.ts";

/** resque-scheduler's default LOCK_TIMEOUT, in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 180;

export class LeaderLock {
  readonly key: string;
  readonly value: string;
  readonly #db: Db;
  readonly #timeout: number;

  constructor(db: Db, value: string, options: { timeout?: number; prefix?: string } = {}) {
    this.#db = db;
    this.value = value;
    this.#timeout = options.timeout ?? DEFAULT_LOCK_TIMEOUT;
    this.key = db.keys.schedulerLock(options.prefix);
  }

  /** Ruby's `master? = acquire! || locked?`: take it if free, else renew it if ours. */
  async claim(): Promise<boolean> {
    return (await acquireLock(this.#db, this.key, this.value, this.#timeout)) || this.renew();
  }

  /** locked?: true (and the TTL restarted) while it is ours. */
  renew(): Promise<boolean> {
    return renewLock(this.#db, this.key, this.value, this.#timeout);
  }

  /** Delete it if it is still ours, so a follower (Ruby or ours) leads at its next poll. */
  release(): Promise<boolean> {
    return releaseLock(this.#db, this.key, this.value);
  }

  /** Who holds it now (`host:pid`), or null. */
  holder(): Promise<string | null> {
    return lockHolder(this.#db, this.key);
  }
}
