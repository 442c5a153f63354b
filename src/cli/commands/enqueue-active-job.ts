/**
 * `resque enqueue --active-job CLASS [ARGS...]`: the JobWrapper payload a Rails worker runs, as
 * `CLASS.set(queue:, wait:).perform_later(*ARGS)` writes it; --at / --in go through the delayed queue.
 */
import type { Resque } from "../../client/resque.ts";
import { timestampIn } from "../../protocol/delayed.ts";
import { printJson, say, UsageError } from "../kit/context.ts";
import type { Later } from "./enqueue-later.ts";
import { checkTimestamp, isoTime, relative } from "../kit/when.ts";

export interface ActiveJobFlags {
  queue: string;
  priority?: string;
  symbolKeys?: boolean;
  json?: boolean;
}

export async function enqueueActiveJobCli(
  resque: Resque,
  jobClass: string,
  args: unknown[],
  flags: ActiveJobFlags,
  later: Later | undefined,
): Promise<void> {
  const priority = flags.priority === undefined ? undefined : Number(flags.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new UsageError(`--priority "${flags.priority}" is not a whole number.`);
  const now = Date.now();
  const waitUntil =
    later === undefined ? undefined : "at" in later ? later.at : checkTimestamp(timestampIn(later.in, now), "--in", later.text);
  const done = await resque.enqueueActiveJob(jobClass, args, {
    queue: flags.queue,
    ...(priority !== undefined && { priority }),
    ...(waitUntil !== undefined && { waitUntil }),
    symbolKeys: flags.symbolKeys === true,
  });
  if (flags.json)
    return printJson({
      jobId: done.jobId,
      queue: done.queue,
      delayed: done.delayed,
      scheduledAt: done.scheduledAt,
      payload: JSON.parse(done.payload),
    });
  if (done.delayed && waitUntil !== undefined)
    say.success(
      `Delayed ActiveJob ${jobClass} (job_id ${done.jobId}) on ${done.queue} until ${isoTime(waitUntil)} (${relative(waitUntil, now)}).`,
    );
  else
    say.success(
      `Enqueued ActiveJob ${jobClass} (job_id ${done.jobId}) on ${done.queue}${waitUntil !== undefined ? ": its time is not in the future, so now" : ""}.`,
    );
}
