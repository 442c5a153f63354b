/** The job a taken payload names, or the failure stock would record for it (bad payload, unknown class). */
import type { Job } from "../jobs/define.ts";
import type { JobRegistry } from "../jobs/registry.ts";
import { isMalformed, type decodePayload } from "../protocol/payload.ts";
import type { TakenJob } from "../store/workers.ts";

const named = (message: string, name: string) => Object.assign(new Error(message), { name });

export function resolveJob(registry: JobRegistry, taken: TakenJob, payload: ReturnType<typeof decodePayload>): Job {
  if (taken.problem === "invalid-utf8") {
    throw named("The payload is not valid UTF-8. This record shows its bytes above 0x7F as the text \\xNN.", "Resque::MalformedPayload");
  }
  if (isMalformed(payload)) throw named(payload.problem, "Resque::MalformedPayload");
  const job = registry.get(payload.className);
  if (job) return job;
  const known = registry.names;
  const hint = known.length > 0 ? `this worker knows ${known.join(", ")}` : "this worker knows no jobs";
  throw named(`uninitialized constant ${payload.className} (${hint}; load the module that defines it with --require)`, "NameError");
}
