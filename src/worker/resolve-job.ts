/** The job a taken payload names, or the failure stock would record for it (bad payload, unknown class). */
import type { Job } from "../jobs/define.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import { decodeActiveJob, JOB_WRAPPER, type ActiveJobMeta } from "../protocol/active-job.ts";
import { isMalformed, type decodePayload } from "../protocol/payload.ts";
import type { TakenJob } from "../store/workers.ts";

const named = (message: string, name: string) => Object.assign(new Error(message), { name });

/** What a worker runs: the job, the arguments perform receives, and for a Rails payload its ActiveJob metadata. */
export interface ResolvedRun {
  job: Job;
  args: unknown[];
  activeJob?: ActiveJobMeta;
}

export function resolveJob(registry: JobRegistry, taken: TakenJob, payload: ReturnType<typeof decodePayload>): Job {
  if (taken.problem === "invalid-utf8") {
    throw named("The payload is not valid UTF-8. This record shows its bytes above 0x7F as the text \\xNN.", "Resque::MalformedPayload");
  }
  if (isMalformed(payload)) throw named(payload.problem, "Resque::MalformedPayload");
  return lookup(registry, payload.className);
}

/**
 * resolveJob, plus Rails: a JobWrapper payload runs the job defined under its job_class (unless the
 * wrapper itself is defined), with ActiveJob's arguments deserialized. Any error here is the job's
 * failure, recorded against the payload as popped, as stock records the wrapper.
 */
export function resolveRun(registry: JobRegistry, taken: TakenJob, payload: ReturnType<typeof decodePayload>): ResolvedRun {
  if (taken.problem !== undefined || isMalformed(payload) || payload.className !== JOB_WRAPPER || registry.get(JOB_WRAPPER)) {
    return { job: resolveJob(registry, taken, payload), args: isMalformed(payload) ? [] : payload.args };
  }
  const run = decodeActiveJob(payload.args);
  return { job: lookup(registry, run.jobClass), args: run.args, activeJob: run.meta };
}

function lookup(registry: JobRegistry, className: string): Job {
  const job = registry.get(className);
  if (job) return job;
  const known = registry.names;
  const hint = known.length > 0 ? `this worker knows ${known.join(", ")}` : "this worker knows no jobs";
  throw named(`uninitialized constant ${className} (${hint}; load the module that defines it with --require)`, "NameError");
}
