/**
 * `resque enqueue ... --at TIME | --in DURATION`: one delayed job, stored byte-exact as
 * resque-scheduler's enqueue_at_with_queue does; a time not in the future is enqueued at once, as there.
 */
import { enqueueAt } from "../../client/delayed.ts";
import type { Resque } from "../../client/resque.ts";
import { isDue, timestampIn } from "../../protocol/delayed.ts";
import { say, UsageError } from "../kit/context.ts";
import { checkTimestamp, isoTime, parseDuration, parseTime, relative } from "../kit/when.ts";

/** When to run, read before anything connects: a fixed second, or seconds from the moment of enqueueing. */
export type Later = { at: number } | { in: number; text: string };

/** --at / --in as given; undefined when neither was. Both, or either with --json / --bulk, is a usage error. */
export function readLater(args: { at?: string; in?: string; json?: boolean; bulk?: string }): Later | undefined {
  if (args.at !== undefined && args.in !== undefined) throw new UsageError("Give --at (a time) or --in (a delay), not both.");
  const flag = args.at !== undefined ? "--at" : args.in !== undefined ? "--in" : undefined;
  if (!flag) return undefined;
  if (args.json || args.bulk !== undefined)
    throw new UsageError(`${flag} delays one job given as CLASS [ARGS...]; --json and --bulk push payloads now.`);
  if (args.at !== undefined) return { at: checkTimestamp(parseTime(args.at), "--at", args.at) };
  const seconds = parseDuration(args.in!);
  // Checked now too, so a delay past the year 9999 is refused before anything connects.
  checkTimestamp(timestampIn(seconds, Date.now()), "--in", args.in!);
  return { in: seconds, text: args.in! };
}

/** Store the delayed item (or enqueue now when the time has come) and say which happened. */
export async function enqueueLater(resque: Resque, queue: string, className: string, args: unknown[], later: Later): Promise<void> {
  const now = Date.now();
  const ts = "at" in later ? later.at : checkTimestamp(timestampIn(later.in, now), "--in", later.text);
  // One clock reading decides both what is stored and what is said.
  await enqueueAt(resque.db, ts, className, args, queue, resque.registry, now);
  if (isDue(ts, now))
    say.success(
      `Enqueued ${className} on ${queue} now: ${isoTime(ts)} is not in the future, and resque-scheduler enqueues such a job at once.`,
    );
  else say.success(`Delayed ${className} on ${queue} until ${isoTime(ts)} (${relative(ts, now)}; Unix ${ts}).`);
}
