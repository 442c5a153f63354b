/** Take a worker out of the registry and record what it was running, as stock's unregister_worker does. */
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import { encodeFailure } from "../protocol/failure.ts";
import { entryJob } from "../protocol/working-on.ts";
import type { Db } from "../store/connection.ts";
import { pushFailures } from "../store/failed.ts";
import { unregisterWorker } from "../store/workers.ts";

export interface DirtyExit {
  exception: string;
  /** The message, given the class of the job that was running. */
  message: (className: string) => string;
}

/** The class a payload names, for failure messages; "<Unknown Job>" when it names none (stock's wording). */
export function jobClassName(rawPayload: string): string {
  const decoded = decodePayload(rawPayload);
  return isMalformed(decoded) ? "<Unknown Job>" : decoded.className;
}

/** Unregister `id`; each job it had in flight becomes a failure record (no stat:failed bump, as stock). */
export async function unregisterWithFailures(db: Db, id: string, why: DirtyExit, at: Date): Promise<number> {
  const entries = await unregisterWorker(db, id);
  const records = entries.flatMap((entry) => {
    const job = entryJob(entry);
    if (!job) return [];
    const rawPayload = job.payload;
    return [
      encodeFailure({
        at,
        rawPayload,
        exception: why.exception,
        error: why.message(jobClassName(rawPayload)),
        backtrace: [],
        worker: id,
        queue: job.queue,
      }),
    ];
  });
  await pushFailures(db, records);
  return records.length;
}
