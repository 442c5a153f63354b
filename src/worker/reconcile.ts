/**
 * After a cycle's reply is lost with the connection, find out from the in-flight list whether
 * the script ran (it is atomic: all or nothing), so no job is lost and none is recorded twice.
 */
import { entryJob } from "../protocol/working-on.ts";
import type { Db } from "../store/connection.ts";
import { inflightEntries, type TakenJob } from "../store/workers.ts";

export interface LostBatch {
  done: readonly string[];
  failures: readonly { entry: string }[];
}

export interface ReconcileOutcome {
  /** Per lost cycle, in the order sent: true when it ran, so its finished jobs are recorded. */
  applied: boolean[];
  /** Jobs the lost cycles reserved for us: start them. */
  taken: TakenJob[];
}

/**
 * `lost`: every cycle whose reply was lost, in the order sent, read once no other cycle is in
 * flight (a cycle still on its way could change the list between the read and its reply).
 */
export async function reconcileLostCycles(
  db: Db,
  id: string,
  /** Entries this process already holds (running, or finished and not yet flushed), read after the list. */
  heldEntries: () => readonly string[],
  lost: readonly LostBatch[],
): Promise<ReconcileOutcome> {
  const entries = await retry(() => inflightEntries(db, id));
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e, (counts.get(e) ?? 0) + 1);
  const take = (e: string) => {
    const n = counts.get(e) ?? 0;
    if (n > 0) counts.set(e, n - 1);
    return n > 0;
  };
  for (const e of heldEntries()) take(e);
  // The script removes every finished entry; if they are all still there, it never ran.
  const applied = lost.map(({ done, failures }) => {
    const finished = [...done, ...failures.map((f) => f.entry)];
    return finished.length === 0 ? true : !finished.every(take);
  });
  const taken: TakenJob[] = [];
  for (const [entry, n] of counts) {
    const job = entryJob(entry);
    if (!job) continue;
    for (let i = 0; i < n; i++) taken.push({ queue: job.queue, payload: job.payload, entry });
  }
  return { applied, taken };
}

async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)));
    }
  }
}
