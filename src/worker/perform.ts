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

/** Resolves true when performed, false when a beforePerform hook raised DontPerform; rejects on failure. */
export async function performJob(job: Job, args: unknown[], context?: JobContext): Promise<boolean> {
  // `this` in perform: the job's own members, plus this run's signal and limits.
  // (defineProperty, not assignment: the job is frozen, and its read-only members would refuse a shadowing write.)
  const self = context ? Object.create(job, Object.fromEntries(Object.entries(context).map(([k, value]) => [k, { value, enumerable: true }]))) : job;
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
    for (const hook of jobHooks(job, "aroundPerform").reverse()) {
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
