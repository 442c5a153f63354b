/** resque-scheduler's recurring-schedule keys: `persistent_schedules`, `schedules_changed`, `delayed:last_enqueued_at`. */
import type { Db } from "./connection.ts";

/** set_schedule with persist: HSET the config, then SADD the name to schedules_changed (Ruby's order, no MULTI). */
export async function writeSchedule(db: Db, name: string, json: string): Promise<void> {
  await db.redis.hset(db.keys.persistentSchedules, name, json);
  await db.redis.sadd(db.keys.schedulesChanged, name);
}

/** remove_schedule: HDEL, then SADD schedules_changed; true when a persisted config was there. */
export async function deleteSchedule(db: Db, name: string): Promise<boolean> {
  const removed = await db.redis.hdel(db.keys.persistentSchedules, name);
  await db.redis.sadd(db.keys.schedulesChanged, name);
  return removed > 0;
}

/** A set_schedule without persist changes nothing stored, but the leader is still told (Ruby does the same). */
export async function markChanged(db: Db, name: string): Promise<void> {
  await db.redis.sadd(db.keys.schedulesChanged, name);
}

/** Every persisted config, name -> JSON text. */
export const persistedSchedules = (db: Db): Promise<Record<string, string>> => db.redis.hgetall(db.keys.persistentSchedules);

export const persistedSchedule = (db: Db, name: string): Promise<string | null> => db.redis.hget(db.keys.persistentSchedules, name);

/** update_schedule's SPOP: one changed name, or null when none is left. */
export const popChanged = (db: Db): Promise<string | null> => db.redis.spop(db.keys.schedulesChanged);

/** load_schedule! as a dynamic leader: everything is being reloaded, so the change list is spent. */
export async function clearChanged(db: Db): Promise<void> {
  await db.redis.del(db.keys.schedulesChanged);
}

/** HSET delayed:last_enqueued_at name <Time#to_s>, after each enqueue (even a failed one, as Ruby). */
export async function setLastEnqueuedAt(db: Db, name: string, time: string): Promise<void> {
  await db.redis.hset(db.keys.lastEnqueuedAt, name, time);
}

export const lastEnqueuedAt = (db: Db, name: string): Promise<string | null> => db.redis.hget(db.keys.lastEnqueuedAt, name);

export const allLastEnqueuedAt = (db: Db): Promise<Record<string, string>> => db.redis.hgetall(db.keys.lastEnqueuedAt);
