/** Enqueue and dequeue with stock's hook semantics (a hook returning exactly false stops it). */
import { ResqueError } from "../errors.ts";
import { decodePayload, encodePayload, isMalformed } from "../protocol/payload.ts";
import type { Job, JobArgs, JobHookKind } from "../jobs/define.ts";
import { jobHooks } from "../jobs/define.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import type { Db } from "../store/connection.ts";
import { pushPayloads, removePayload } from "../store/queues.ts";

export type JobRef = Job | string;

interface Resolved {
  className: string;
  job: Job | undefined;
}

export function resolveJob(ref: JobRef, registry?: JobRegistry): Resolved {
  if (typeof ref !== "string") return { className: ref.className, job: ref };
  if (!ref) throw new ResqueError("NO_CLASS", "Jobs must be given a class.");
  return { className: ref, job: registry?.get(ref) };
}

/** The queue to use: the one given, else the job's default (stock's @queue). */
export function inferQueue(resolved: Resolved, queue?: string): string {
  const q = queue ?? resolved.job?.queue;
  if (!q) {
    throw new ResqueError(
      "NO_QUEUE",
      `Jobs must be placed onto a queue. No queue could be inferred for class ${resolved.className}; give the job a queue or pass one.`,
    );
  }
  return q;
}

/** Run every hook of a "before" kind; false when any returned exactly false. */
export async function runGate(job: Job | undefined, kind: JobHookKind, args: readonly unknown[]): Promise<boolean> {
  if (!job) return true;
  let go = true;
  // Stock runs every before hook, then stops if any returned exactly false.
  for (const hook of jobHooks(job, kind)) if ((await hook(...args)) === false) go = false;
  return go;
}

/** Run every hook of a kind, ignoring what they return. */
export async function runAfter(job: Job | undefined, kind: JobHookKind, args: readonly unknown[]): Promise<void> {
  if (job) for (const hook of jobHooks(job, kind)) await hook(...args);
}

/** Returns false when a beforeEnqueue hook stopped it. `payload`: exact bytes to push (a promoted item's, Ruby floats kept). */
export async function enqueue<J extends JobRef>(
  db: Db,
  ref: J,
  args: JobArgs<J>,
  queue?: string,
  registry?: JobRegistry,
  payload?: string,
): Promise<boolean> {
  const resolved = resolveJob(ref, registry);
  const target = inferQueue(resolved, queue);
  if (!(await runGate(resolved.job, "beforeEnqueue", args))) return false;
  await pushPayloads(db, target, [payload ?? encodePayload(resolved.className, args)]);
  await runAfter(resolved.job, "afterEnqueue", args);
  return true;
}

/**
 * Stock's dequeue: with args, remove payloads byte-equal to {"class","args"}; without args,
 * every payload of that class. Returns how many went, or false when a hook stopped it.
 */
export async function dequeue(db: Db, ref: JobRef, args: unknown[], queue?: string, registry?: JobRegistry): Promise<number | false> {
  const resolved = resolveJob(ref, registry);
  const target = inferQueue(resolved, queue);
  if (!(await runGate(resolved.job, "beforeDequeue", args))) return false;
  let removed = 0;
  if (args.length > 0) {
    removed = await removePayload(db, target, encodePayload(resolved.className, args));
  } else {
    const all = await db.redis.lrange(db.keys.queue(target), 0, -1);
    const matching = new Set(
      all.filter((raw) => {
        const p = decodePayload(raw);
        return !isMalformed(p) && p.className === resolved.className;
      }),
    );
    for (const raw of matching) removed += await removePayload(db, target, raw);
  }
  await runAfter(resolved.job, "afterDequeue", args);
  return removed;
}
