/** The `worker:<id>` value stock writes while a job runs: {"queue":q,"run_at":t,"payload":{...}}. */
import { rawMembers } from "./json-members.ts";

/** Everything before the payload; the reserve script appends the payload and `}`. */
export const workingOnPrefix = (queue: string, runAt: string): string =>
  `{"queue":${JSON.stringify(queue)},"run_at":${JSON.stringify(runAt)},"payload":`;

/** The whole value for one job. */
export const workingOn = (queue: string, runAt: string, payloadJson: string): string => `${workingOnPrefix(queue, runAt)}${payloadJson}}`;

/** Take a `worker:<id>` value apart without decoding the payload's numbers. */
export function parseWorkingOn(value: string): { queue: string; runAt: string; payloadJson: string } | undefined {
  try {
    const members = rawMembers(value);
    const queue = members.get("queue");
    const payloadJson = members.get("payload");
    if (!queue || !payloadJson) return undefined;
    const runAt = members.get("run_at");
    const q: unknown = JSON.parse(queue);
    const at: unknown = runAt ? JSON.parse(runAt) : "";
    // Hand-written or foreign values: a queue that is not text is not ours to read; an odd run_at is unknown.
    if (typeof q !== "string") return undefined;
    return { queue: q, runAt: typeof at === "string" ? at : "", payloadJson };
  } catch {
    return undefined;
  }
}

/** The queue and the raw payload text of an in-flight entry (a non-JSON payload sits in it as a JSON string). */
export function entryJob(entry: string): { queue: string; payload: string } | undefined {
  const job = parseWorkingOn(entry);
  if (!job) return undefined;
  const payload = job.payloadJson.startsWith('"') ? (JSON.parse(job.payloadJson) as string) : job.payloadJson;
  return { queue: job.queue, payload };
}
