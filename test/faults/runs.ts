/** The runs the Record job (test/fixtures/fault-jobs.ts) reported: one hash field per run, "<pid> <started ms> <ended ms>". */
import type { Redis } from "ioredis";

export interface Run {
  pid: number;
  started: number;
  ended: number;
}

/** Each job id's runs, from the report hash at `key`. */
export async function readRuns(redis: Redis, key: string): Promise<Map<string, Run[]>> {
  const runs = new Map<string, Run[]>();
  for (const [field, report] of Object.entries(await redis.hgetall(key))) {
    const id = field.slice(0, field.indexOf(":"));
    const [pid, started, ended] = report.split(" ").map(Number);
    runs.set(id, [...(runs.get(id) ?? []), { pid: pid!, started: started!, ended: ended! }]);
  }
  return runs;
}
