/**
 * The reserve cycle's request and reply as lua/reserve-cycle.lua's header declares them: the
 * worker's hot path, one script call a cycle, so the layout is built straight into one array.
 */
import type { Db } from "./connection.ts";
import { metricsArgs, type ClassTally } from "./metrics-block.ts";
import { fields, positions, type Call, type Value } from "./script-runner.ts";
import { luaScripts } from "./scripts.generated.ts";

const script = luaScripts.reserveCycle;
const FAILURE = script.groups.failure;
const TAKEN = positions(script.groups.taken);
const TAKEN_SIZE = script.groups.taken.length;
const REPLY = positions(script.returns.fields);
const REPLY_FIXED = script.returns.fields.length;

export interface CycleRequest {
  id: string;
  /** In-flight entries of jobs that finished well. */
  done: readonly string[];
  /** In-flight entries of jobs that failed, with their failure records (and retries). */
  failures: readonly FailureWrite[];
  /** Attempt-count keys of retrying jobs that succeeded (resque-retry clears them). */
  cleared?: readonly string[];
  want: number;
  queues: readonly string[];
  /** One worker:<id> prefix per queue. */
  prefixes: readonly string[];
  /** Per-class metrics of finished jobs to add (see lua/_metrics.lua), and when they finished. */
  metrics?: ReadonlyMap<string, ClassTally>;
  nowMs?: number;
}

/** A failed run to record: `record` goes to the failed list ("" when it is retried instead). */
export interface FailureWrite {
  entry: string;
  record: string;
  retry?: RetryWrite;
}

/** What a failed run of a retrying job does to its attempt count `count` (a key) and its queue. */
export type RetryWrite =
  /** Given up: the count goes, as resque-retry's give_up does. */
  | { kind: "fail"; count: string }
  /** Straight back on its queue (delay 0); the count lives `ttl` more seconds. */
  | { kind: "now"; count: string; queue: string; payload: string; ttl: number }
  /**
   * Into the delayed queue at `ts`, as resque-scheduler's enqueue_in_with_queue writes it; `failure`:
   * resque-retry's failure-<count> entry and its expiry (2 x the delay), which "fail" deletes.
   */
  | { kind: "later"; count: string; ts: number; item: string; ttl: number; failure?: { entry: string; ttl: number } };

export interface TakenJob {
  queue: string;
  payload: string;
  entry: string;
  /** Why the payload could not be handed over as it is ("invalid-utf8"), if so. */
  problem?: string;
}

/** One round trip: finish jobs, then reserve up to `want` (see lua/reserve-cycle.lua). */
export interface CycleReply {
  paused: boolean;
  /** The one job taken is a suspect (a worker died running it): run it with nothing else. */
  solo: boolean;
  /** This worker is not in the workers set (pruned as dead while frozen): nothing was taken; register again. */
  unregistered: boolean;
  taken: TakenJob[];
}

type CycleKeys = Call<typeof script>["keys"];

/**
 * The cycle's fixed keys name only the worker, so each worker's are built once and the same
 * object is handed to every cycle (script-runner.ts then lays them out once too): the cycle is the
 * hot path, and thirteen key strings per job were a measurable part of a no-op job's cost.
 */
const fixedKeys = new WeakMap<Db, { id: string; keys: CycleKeys }>();
function cycleKeys(db: Db, id: string): CycleKeys {
  const known = fixedKeys.get(db);
  if (known?.id === id) return known.keys;
  const k = db.keys;
  const keys: CycleKeys = {
    inflight: k.inflight(id),
    worker: k.worker(id),
    processed: k.processed,
    workerProcessed: k.workerProcessed(id),
    failedCount: k.failedCount,
    workerFailed: k.workerFailed(id),
    failed: k.failed,
    pauseAll: k.pauseAll,
    recoveries: k.recoveries,
    queues: k.queues,
    delayedSchedule: k.delayedSchedule,
    metricsTotals: k.metricsTotals,
    metricsClasses: k.metricsClasses,
    workers: k.workers,
  };
  fixedKeys.set(db, { id, keys });
  return keys;
}

/** KEYS and ARGV of one cycle. */
export function encodeCycle(db: Db, request: CycleRequest): Call<typeof script> {
  const k = db.keys;
  const cleared = request.cleared ?? [];
  const restArgv: Value[] = [...request.done];
  for (const f of request.failures) restArgv.push(...failureArgs(db, f));
  restArgv.push(...cleared, ...metricsArgs(db, request.metrics, request.nowMs ?? Date.now()), ...request.prefixes);
  return {
    keys: cycleKeys(db, request.id),
    argv: {
      doneCount: request.done.length,
      failureCount: request.failures.length,
      want: request.want,
      clearedCount: cleared.length,
      id: request.id,
    },
    restKeys: request.queues.map((q) => k.queue(q)),
    restArgv,
  };
}

/** A failure group: the entry, its record, then the retry (see the script's header). */
function failureArgs(db: Db, { entry, record, retry }: FailureWrite): Value[] {
  const k = db.keys;
  const none = { list: "", register: "", value: "", expiry: "", failureKey: "", failureEntry: "", failureTtl: "" };
  if (!retry) return fields(FAILURE, { entry, record, count: "", kind: "fail", ...none });
  switch (retry.kind) {
    case "fail":
      return fields(FAILURE, { entry, record, count: retry.count, kind: "fail", ...none, failureKey: k.retryFailure(retry.count) });
    case "now":
      return fields(FAILURE, {
        entry,
        record,
        count: retry.count,
        kind: "now",
        ...none,
        list: k.queue(retry.queue),
        register: retry.queue,
        value: retry.payload,
        expiry: retry.ttl,
      });
    case "later":
      return fields(FAILURE, {
        entry,
        record,
        count: retry.count,
        kind: "later",
        list: k.delayed(retry.ts),
        register: k.timestamps(retry.item),
        value: retry.item,
        expiry: `${retry.ts} ${retry.ttl}`,
        ...(retry.failure
          ? { failureKey: k.retryFailure(retry.count), failureEntry: retry.failure.entry, failureTtl: retry.failure.ttl }
          : { failureKey: "", failureEntry: "", failureTtl: "" }),
      });
  }
}

/** The reply: paused, solo, unregistered, then one group per taken job. */
export function decodeCycle(request: CycleRequest, reply: readonly Value[]): CycleReply {
  const taken: TakenJob[] = [];
  for (let i = REPLY_FIXED; i + TAKEN_SIZE - 1 < reply.length; i += TAKEN_SIZE) {
    const index = Number(reply[i + TAKEN.queueIndex]) - 1;
    const payload = String(reply[i + TAKEN.payload]);
    const rewritten = String(reply[i + TAKEN.rewritten]);
    const problem = String(reply[i + TAKEN.problem]);
    taken.push({
      queue: request.queues[index]!,
      payload,
      entry: rewritten || `${request.prefixes[index]}${payload}}`,
      ...(problem && { problem }),
    });
  }
  return { paused: reply[REPLY.paused] === 1, solo: reply[REPLY.solo] === 1, unregistered: reply[REPLY.unregistered] === 1, taken };
}
