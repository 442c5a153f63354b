/**
 * The leader's recurring schedules (resque-scheduler's load_schedule!, update_schedule and rufus ticks):
 * loaded on becoming leader, kept current from `schedules_changed` when dynamic, fired when due.
 * Missed beats inside one leadership are skipped, as rufus does; beats missed while nobody led are
 * lost in Ruby, and here run on takeover when a schedule's catch-up policy asks for it.
 */
import { runSchedule } from "../client/schedule-enqueue.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import { envMatches, readScheduleConfig, type CatchUp, type ScheduleEntry } from "../protocol/schedule-config.ts";
import { parseRubyTime } from "../protocol/time.ts";
import type { Db } from "../store/connection.ts";
import { clearChanged, lastEnqueuedAt, persistedSchedule, persistedSchedules, popChanged } from "../store/schedules.ts";
import type { SchedulerLogger } from "../log.ts";
import type { StaticSchedule } from "./schedule-file.ts";
import { plural } from "../protocol/plural.ts";

export interface ScheduleRunnerOptions {
  db: Db;
  registry: JobRegistry;
  log: SchedulerLogger;
  /** The --schedule file's entries; a persisted schedule of the same name wins, as in Ruby. */
  staticSchedule?: StaticSchedule;
  /** DYNAMIC_SCHEDULE: apply set_schedule / remove_schedule while leading. */
  dynamic?: boolean;
  /** The policy for schedules that set no `catch_up` of their own (default "off", Ruby's). */
  catchUp?: CatchUp;
  /** RAILS_ENV: entries with `rails_env` / `env` load only when it is listed there. */
  env?: string;
}

/** At most this many missed runs of one schedule are caught up at a takeover ("all"). */
export const CATCH_UP_LIMIT = 100;

interface Loaded {
  entry: ScheduleEntry;
  next: number | undefined;
}

export class ScheduleRunner {
  readonly #o: ScheduleRunnerOptions;
  readonly #loaded = new Map<string, Loaded>();

  constructor(options: ScheduleRunnerOptions) {
    this.#o = options;
  }

  /** The names being fired, with the next fire time (ms). */
  get scheduled(): Map<string, number | undefined> {
    return new Map([...this.#loaded].map(([name, l]) => [name, l.next]));
  }

  /** load_schedule! on becoming leader at `now` (ms): every schedule, then catch-up. */
  async load(now: number): Promise<void> {
    this.#loaded.clear();
    const all = new Map([...(this.#o.staticSchedule ?? []), ...Object.entries(await persistedSchedules(this.#o.db))]);
    // Everything was just read, so the pending changes are spent (Ruby does this only when dynamic).
    if (this.#o.dynamic) await clearChanged(this.#o.db);
    if (all.size === 0) this.#o.log.info("Schedule empty! Set one with --schedule FILE, or setSchedule / `resque schedule add`");
    for (const [name, json] of all) this.#add(name, json, now);
    for (const loaded of this.#loaded.values()) await this.#catchUp(loaded, now);
  }

  /** Leadership lost: nothing fires until the next load. */
  clear(): void {
    this.#loaded.clear();
  }

  /** update_schedule: apply each name in schedules_changed (set, changed or removed). */
  async update(now: number): Promise<void> {
    if (!this.#o.dynamic) return;
    for (let name = await popChanged(this.#o.db); name !== null; name = await popChanged(this.#o.db)) {
      this.#loaded.delete(name);
      const json = (await persistedSchedule(this.#o.db, name)) ?? this.#o.staticSchedule?.get(name);
      if (json) this.#add(name, json, now);
      this.#o.log.info(json ? `Reloaded schedule ${name}` : `Removed schedule ${name}`);
    }
  }

  /** Fire every schedule due at `now` (ms) once, each then set to its next beat after `now`. */
  async fireDue(now: number, stillLeader: () => Promise<boolean>): Promise<number> {
    let fired = 0;
    for (const loaded of this.#loaded.values()) {
      if (loaded.next === undefined || loaded.next > now) continue;
      if (!(await stillLeader())) return fired;
      await this.#fire(loaded.entry, now);
      fired++;
      loaded.next = loaded.entry.timing?.next(now);
    }
    return fired;
  }

  /** ms from `now` to the earliest next fire, or undefined when nothing is scheduled. */
  msUntilNext(now: number): number | undefined {
    const times = [...this.#loaded.values()].flatMap((l) => (l.next === undefined ? [] : [l.next]));
    return times.length === 0 ? undefined : Math.max(0, Math.min(...times) - now);
  }

  #add(name: string, json: string, now: number): void {
    let entry: ScheduleEntry;
    try {
      entry = readScheduleConfig(name, json, now);
    } catch (error) {
      // Ruby's scheduler dies here and every restart dies again; we skip the one entry.
      this.#o.log.error(`Skipping schedule ${name}: ${(error as Error).message} (config ${json})`);
      return;
    }
    if (!envMatches(entry, this.#o.env)) {
      this.#o.log.info(
        `Skipping schedule ${name}: its env ${JSON.stringify(entry.envs!.join(","))} does not include ours (${this.#o.env ?? "none set"})`,
      );
      return;
    }
    if (!entry.timing) {
      this.#o.log.info(`No cron / every for ${entry.className} (${name}); it runs only when queued by hand`);
      return;
    }
    this.#loaded.set(name, { entry, next: entry.timing.first });
  }

  async #fire(entry: ScheduleEntry, now: number): Promise<void> {
    try {
      const run = await runSchedule(this.#o.db, this.#o.registry, entry, now);
      this.#o.log.info(`Queued ${run.className} (${entry.name}) on ${run.queue}${run.pushed ? "" : ", stopped by a hook"}`);
    } catch (error) {
      // Ruby's on_enqueue_failure: logged, and the run is gone (last_enqueued_at is still written).
      this.#o.log.error(`Queueing ${entry.className} (${entry.name}) failed: ${(error as Error).message}`);
    }
  }

  /** Runs missed since last_enqueued_at, by the entry's policy (else the default); none without a last run. */
  async #catchUp(loaded: Loaded, now: number): Promise<void> {
    const { entry } = loaded;
    const policy = entry.catchUp ?? this.#o.catchUp ?? "off";
    if (policy === "off" || !entry.timing) return;
    const last = parseRubyTime((await lastEnqueuedAt(this.#o.db, entry.name)) ?? "");
    if (last === undefined) return;
    const missed = countMissed(entry, last, now, policy === "once" ? 1 : CATCH_UP_LIMIT + 1);
    if (missed === 0) return;
    const runs = Math.min(missed, CATCH_UP_LIMIT);
    this.#o.log.warn(
      `Catching up ${entry.name}: ${plural(runs, "missed run")}${missed > CATCH_UP_LIMIT ? ` (at most ${CATCH_UP_LIMIT})` : ""} since ${new Date(last).toISOString()}`,
    );
    for (let i = 0; i < runs; i++) await this.#fire(entry, now);
  }
}

/** Beats after `last` and at or before `now`, counting at most `limit`. `every` counts whole intervals since the last run. */
function countMissed(entry: ScheduleEntry, last: number, now: number, limit: number): number {
  const timing = entry.timing!;
  if (timing.kind === "every") return Math.min(limit, Math.floor((now - last) / (timing.seconds! * 1000)));
  let count = 0;
  for (let t = timing.next(last); t !== undefined && t <= now && count < limit; t = timing.next(t)) count++;
  return count;
}
