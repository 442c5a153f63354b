/** Run one job with stock's hook order and failure semantics (Resque::Job#perform). */
import { DontPerform, jobHooks, type Job, type JobContext } from "../jobs/define.ts";
import { errorMessage, exceptionName } from "../protocol/backtrace.ts";

/** Where stock cuts failure backtraces: frames from here down are the worker's, not the job's. */
export const PERFORM_MODULE = new URL(import.meta.url).pathname;

const isDontPerform = (error: unknown) => {
  try {
    return error instanceof DontPerform || (error as Error | undefined)?.name === "DontPerform";
  } catch {
    return false; // a thrown value whose `name` getter throws is a failure, not a skip
  }
};

const RUN = Symbol("run");
const prototypes = new WeakMap<Job, object>();

/**
 * `this` in perform: the job's own members, plus this run's signal and limits, read through
 * getters on one prototype per job definition, so a run costs one small object (this is the hot
 * path: tens of thousands of runs a second). Accessors are defined, not assigned: the job is
 * frozen, and its read-only members would refuse a shadowing write.
 */
function performThis(job: Job, context: JobContext): JobContext {
  let proto = prototypes.get(job);
  if (!proto) {
    const from = (key: keyof JobContext) => ({
      get(this: { [RUN]: JobContext }) {
        return this[RUN][key];
      },
      enumerable: true,
    });
    proto = Object.create(job, {
      signal: from("signal"),
      className: from("className"),
      queue: from("queue"),
      timeout: from("timeout"),
      activeJob: from("activeJob"),
    }) as object;
    prototypes.set(job, proto);
  }
  const self = Object.create(proto) as { [RUN]: JobContext };
  self[RUN] = context;
  return self as unknown as JobContext;
}

/** Resolves true when performed, false when a beforePerform hook raised DontPerform; rejects on failure. */
export async function performJob(job: Job, args: unknown[], context?: JobContext): Promise<boolean> {
  const self = context ? performThis(job, context) : job;
  try {
    try {
      for (const hook of jobHooks(job, "beforePerform")) await hook(...args);
    } catch (error) {
      if (isDontPerform(error)) return false;
      throw error;
    }
    let chain = async () => {
      await job.perform.apply(self as JobContext, args);
    };
    // The first around hook in name order is the outermost.
    for (const hook of [...jobHooks(job, "aroundPerform")].reverse()) {
      const next = chain;
      chain = async () => {
        await hook(next, ...args);
      };
    }
    await chain();
    for (const hook of jobHooks(job, "afterPerform")) await hook(...args);
    return true;
  } catch (error) {
    await runFailureHooks(job, error, args);
    throw error;
  }
}

async function runFailureHooks(job: Job, error: unknown, args: unknown[]): Promise<void> {
  try {
    for (const hook of jobHooks(job, "onFailure")) await hook(error, ...args);
  } catch (hookError) {
    throw new Error(
      `Additional error (${exceptionName(hookError)}: ${errorMessage(hookError)}) occurred in running failure hooks for job ${job.className}\n` +
        `Original error was ${exceptionName(error)}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}
