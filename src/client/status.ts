/** Read-only views stock's Resque.info / Resque.workers / Resque.working give. */
import { parseWorkerId } from "../protocol/worker-id.ts";
import { parseWorkingOn } from "../protocol/working-on.ts";
import { decodeJson } from "../protocol/json-decode.ts";
import { forView } from "../protocol/json-depth.ts";
import type { JsonValue } from "../protocol/json.ts";
import { unlessWrongType } from "../store/views.ts";
import type { Db } from "../store/connection.ts";
import { failedCount } from "../store/failed.ts";
import { queueNamesForView, queueSizes } from "../store/queues.ts";
import { readStats } from "../store/stats.ts";
import { locationUrl } from "../store/location.ts";
import { inflightLists, registeredAmong, workerIdsForView, workerRecords, type WorkerRecord } from "../store/workers.ts";
import { entryToken } from "../protocol/token.ts";

export interface ResqueInfo {
  pending: number;
  processed: number;
  queues: number;
  workers: number;
  working: number;
  failed: number;
  servers: string[];
  environment: string;
}

export interface WorkerStatus extends WorkerRecord {
  host: string;
  pid: number;
  queues: string[];
  /** The job it is running, decoded from `worker:<id>`. */
  current?: { queue: string; runAt: string; payload: JsonValue };
  /**
   * Every job in flight in that process (THREAD_COUNT > 1), oldest first, from our in-flight list;
   * `token` is what killJob takes. Empty for stock Ruby workers (see `current`).
   */
  running: RunningJobStatus[];
}

export interface RunningJobStatus {
  token: string;
  queue: string;
  runAt: string;
  payload: JsonValue;
}

/** What a worker:<id> value that cannot be read shows: its (bounded) text as the payload. */
export const UNREADABLE_QUEUE = "(unreadable)";

/** A worker:<id>-shaped entry, decoded (the payload stays text when it is not JSON). */
function decodeEntry(entry: string): { queue: string; runAt: string; payload: JsonValue } | undefined {
  const job = parseWorkingOn(entry);
  if (!job) return undefined;
  let payload: JsonValue = job.payloadJson;
  try {
    payload = decodeJson(job.payloadJson);
  } catch {
    // shown as text
  }
  return { queue: job.queue, runAt: job.runAt, payload: forView(payload, job.payloadJson) };
}

export async function info(db: Db, environment = "development"): Promise<ResqueInfo> {
  const names = await queueNamesForView(db);
  const [sizes, stats, ids, failed] = await Promise.all([
    queueSizes(db, names),
    readStats(db).catch(unlessWrongType({ processed: 0, failed: 0 })),
    workerIdsForView(db),
    failedCount(db),
  ]);
  const records = await workerRecords(db, ids);
  return {
    pending: sizes.reduce((a, b) => a + b, 0),
    processed: stats.processed,
    queues: names.length,
    workers: ids.length,
    working: records.filter((r) => r.job).length,
    failed,
    servers: [locationUrl(db.location)],
    environment,
  };
}

/** Every registered worker, or only those of `only` that are registered (one worker's page must not read 200). */
export async function workers(db: Db, only?: readonly string[]): Promise<WorkerStatus[]> {
  const ids = only ? await registeredAmong(db, only).catch(unlessWrongType([])) : (await workerIdsForView(db)).sort();
  const [records, inflight] = await Promise.all([workerRecords(db, ids), inflightLists(db, ids)]);
  return records.map((record, i) => {
    const { host, pid: parsed, queues } = parseWorkerId(record.id);
    // An id without `host:pid:` has no pid: 0 in views (NaN is not JSON).
    const pid = Number.isFinite(parsed) ? parsed : 0;
    const running = (inflight[i] ?? []).flatMap((entry) => {
      const job = decodeEntry(entry);
      return job ? [{ token: entryToken(entry), ...job }] : [];
    });
    const status: WorkerStatus = { ...record, host, pid, queues, running };
    if (record.job) status.current = decodeEntry(record.job) ?? { queue: UNREADABLE_QUEUE, runAt: "", payload: record.job };
    return status;
  });
}

/** Workers running a job, oldest run_at first (as resque-web's Working tab). */
export async function working(db: Db): Promise<WorkerStatus[]> {
  return (await workers(db))
    .filter((w) => w.current)
    .sort((a, b) => (a.current!.runAt < b.current!.runAt ? -1 : a.current!.runAt > b.current!.runAt ? 1 : 0));
}
