/** The per-class metrics block of lua/_metrics.lua, as reserve-cycle.lua and record-metrics-2.lua read it from ARGV. */
import type { Db } from "./connection.ts";
import { fields } from "./script-runner.ts";
import { luaPieces } from "./scripts.generated.ts";

/** Per-minute hashes live this long. */
export const MINUTE_TTL_SECONDS = 24 * 3600;
/** Classes kept apart; past it, new names count as OTHER_CLASS. */
export const CLASS_CAP = 500;

/** One class's counts since the last flush. */
export interface ClassTally {
  runs: number;
  failures: number;
  totalMs: number;
  /** The longest run in ms (absent: unknown, nothing is recorded). */
  maxMs?: number;
  /** bucket index -> runs. */
  buckets: Map<number, number>;
}

const { metrics: BLOCK, metricsClass: CLASS, bucket: BUCKET } = luaPieces.metrics.groups;

/** The metrics ARGV block for `classes` finished at `nowMs` (an empty block when there are none). */
export function metricsArgs(db: Db, classes: ReadonlyMap<string, ClassTally> | undefined, nowMs: number): (string | number)[] {
  if (!classes || classes.size === 0) return fields(BLOCK, { minuteKey: "", ttl: 0, classCap: 0, classCount: 0 });
  const argv = fields(BLOCK, {
    minuteKey: db.keys.metricsMinute(Math.floor(nowMs / 60_000)),
    ttl: MINUTE_TTL_SECONDS,
    classCap: CLASS_CAP,
    classCount: classes.size,
  });
  for (const [name, t] of classes) {
    argv.push(
      ...fields(CLASS, {
        name,
        runs: t.runs,
        failures: t.failures,
        totalMs: t.totalMs,
        longestMs: t.maxMs ?? -1,
        bucketCount: t.buckets.size,
      }),
    );
    for (const [index, count] of t.buckets) argv.push(...fields(BUCKET, { index, count }));
  }
  return argv;
}
