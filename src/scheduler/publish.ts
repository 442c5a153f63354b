/**
 * A scheduler tells the dashboard it exists (its process record, every poll) and, while it leads,
 * which schedules of its --schedule file it runs and when each fires next (`file-schedules`).
 * Never in the way of the loop: a write is not awaited by the poll, one at a time, and failures
 * (Redis away) are dropped, so the loop stops as fast with Redis down as with it up.
 */
import { envMatches, readScheduleConfig } from "../protocol/schedule-config.ts";
import type { FileSchedules, PublishedSchedule, SchedulerRecord } from "../protocol/scheduler-record.ts";
import type { Runtime } from "../runtime/types.ts";
import type { Db } from "../store/connection.ts";
import {
  recordTtl,
  removeFileSchedules,
  removeSchedulerRecord,
  writeFileSchedules,
  writeSchedulerRecord,
} from "../store/scheduler-records.ts";
import type { StaticSchedule } from "./schedule-file.ts";

export interface PublisherOptions {
  db: Db;
  runtime: Runtime;
  lockValue: string;
  /** Seconds between polls (the records' TTL is a few of them). */
  interval: number;
  schedule?: StaticSchedule;
  env?: string;
}

/** How long stopping waits for the records' removal before giving up (their TTL ends them anyway). */
const REMOVE_WAIT_MS = 1000;

/** Why the leader does not fire a file entry, or undefined when it does. */
function idleReason(name: string, json: string, env: string | undefined, nowMs: number): string | undefined {
  try {
    const entry = readScheduleConfig(name, json, nowMs);
    if (!envMatches(entry, env)) return `its env (${entry.envs!.join(", ")}) does not include the scheduler's (${env ?? "none set"})`;
    if (!entry.timing) return "no cron or every: it runs only when queued by hand";
    return undefined;
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

export class SchedulePublisher {
  readonly #o: PublisherOptions;
  readonly #started = Date.now();
  #inFlight: Promise<void> | undefined;
  #published = false;

  constructor(options: PublisherOptions) {
    this.#o = options;
  }

  get #hostPid(): string {
    return `${this.#o.runtime.hostname()}:${this.#o.runtime.pid}`;
  }

  /** The file's entries as the leader runs them: `scheduled` is the runner's name -> next fire (ms). */
  fileSchedules(scheduled: ReadonlyMap<string, number | undefined>, nowMs: number): FileSchedules {
    const { runtime, schedule, env } = this.#o;
    const schedules: PublishedSchedule[] = [...(schedule ?? [])].map(([name, config]) => {
      const idle = idleReason(name, config, env, nowMs);
      return { name, config, next: idle ? null : (scheduled.get(name) ?? null), ...(idle && { idle }) };
    });
    return { leader: this.#o.lockValue, host: runtime.hostname(), pid: runtime.pid, updated: nowMs, schedules };
  }

  /** One poll's publication (not awaited by the loop; skipped while the previous one is still out). */
  beat(leader: boolean, scheduled: ReadonlyMap<string, number | undefined>, nowMs: number): void {
    if (this.#inFlight !== undefined) return;
    this.#inFlight = this.#write(leader, scheduled, nowMs).finally(() => (this.#inFlight = undefined));
  }

  async #write(leader: boolean, scheduled: ReadonlyMap<string, number | undefined>, nowMs: number): Promise<void> {
    const { db, runtime, interval } = this.#o;
    const ttl = recordTtl(interval);
    const record: SchedulerRecord = {
      role: "scheduler",
      host: runtime.hostname(),
      pid: runtime.pid,
      ppid: runtime.ppid,
      rss: runtime.rss(),
      started: this.#started,
      lockValue: this.#o.lockValue,
      leader,
      interval,
    };
    try {
      await writeSchedulerRecord(db, this.#hostPid, JSON.stringify(record), ttl, nowMs);
      if (leader) {
        await writeFileSchedules(db, JSON.stringify(this.fileSchedules(scheduled, nowMs)), ttl);
        this.#published = true;
      } else if (this.#published) {
        this.#published = false;
        await removeFileSchedules(db, this.#o.lockValue);
      }
    } catch {
      // Redis away: the records lapse with their TTL, the next poll writes them again
    }
  }

  /** Stopping: remove what we published, waiting at most a moment. */
  async stop(): Promise<void> {
    const { db } = this.#o;
    // After a write still out, so it cannot put the records back once they are removed.
    const removal = (this.#inFlight ?? Promise.resolve())
      .then(() =>
        Promise.all([removeSchedulerRecord(db, this.#hostPid), this.#published ? removeFileSchedules(db, this.#o.lockValue) : undefined]),
      )
      .catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([removal, new Promise((resolve) => (timer = setTimeout(resolve, REMOVE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
