/**
 * `resque delayed enqueue-now`: push delayed jobs to their queues now instead of when due, with
 * the scheduler's own atomic batches (every job at one time, or all of them) or resque-scheduler's
 * enqueue_delayed (every copy of one job).
 */
import { defineCommand } from "citty";
import { enqueueDelayed } from "../../client/delayed.ts";
import { encodeDelayedItem } from "../../protocol/delayed.ts";
import type { SchedulerLogger } from "../../log.ts";
import { drainDue, drainTimestamp, type DrainResult } from "../../scheduler/promote.ts";
import { aside } from "../kit/console.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";
import { ARGS_HELP, parseArgs, stringsArg } from "../kit/job-args.ts";
import { isoTime, parseTime, TIME_FORMS } from "../kit/when.ts";

// Ruby's per-batch size; each batch is one script call, atomic against a running scheduler.
const BATCH = 100;

// Dropped items (undecodable, or no queue and no job module to say one) are named with their bytes, so they can be pushed by hand.
const log: SchedulerLogger = { info: (m) => aside.info(m), warn: (m) => aside.warn(m), error: (m) => aside.error(m) };

type Target = { all: true } | { ts: number } | { className: string; args: unknown[] };

function readTarget(positional: string[], queue: string | undefined, strings: boolean): Target {
  const [first = "", ...rest] = positional;
  // A Ruby class name starts with a capital letter, so "all" and a time (which starts with a digit) cannot be one.
  if (first === "all" || /^\d/.test(first)) {
    if (rest.length > 0) throw new UsageError(`enqueue-now ${first} takes no job arguments; unexpected: ${rest.join(" ")}.`);
    if (queue !== undefined)
      throw new UsageError(
        `--queue is for enqueue-now CLASS [ARGS...]; with ${first === "all" ? "all" : "a time"} each job goes to the queue it was delayed onto.`,
      );
    return first === "all" ? { all: true } : { ts: parseTime(first, "TIME") };
  }
  if (queue === undefined)
    throw new UsageError(
      `enqueue-now ${first} needs --queue QUEUE: the queue it was delayed onto, part of what is matched (\`resque delayed show TIME\` lists it).`,
    );
  return { className: first, args: parseArgs(rest, strings) };
}

export const enqueueNowCommand = defineCommand({
  meta: {
    name: "enqueue-now",
    description: [
      "Enqueue delayed jobs now: every job due at TIME, all of them, or every copy of one job (CLASS [ARGS...] --queue QUEUE, matched by exact bytes as `delayed remove`).",
      `TIME is ${TIME_FORMS}. resque-web's "Queue now" moves a time's first job; this moves all of that time's jobs.`,
      ARGS_HELP,
      "An item that cannot be read, or that has no queue (Ruby's enqueue_at_with_queue(nil, ...)), is dropped as the scheduler would drop it, and printed whole on stderr.",
      '--json: {"enqueued":3,"dropped":0}',
      "Examples:",
      "  resque delayed enqueue-now 2026-11-23T09:00:00Z",
      "  resque delayed enqueue-now all",
      "  resque delayed enqueue-now Report 7 --queue reports",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    target: { type: "positional", required: true, description: "A time, all, or a job class" },
    args: { type: "positional", required: false, variadic: true, description: "With a class: the job's arguments" },
    queue: { type: "string", valueHint: "QUEUE", description: "With a class: the queue it was delayed onto" },
    ...stringsArg,
  },
  run: ({ args }) => {
    const target = readTarget((args._ as string[]).map(String), args.queue, Boolean(args.strings));
    return withResque(args, async (resque) => {
      const result: DrainResult = { promoted: 0, dropped: 0, complete: true };
      const drain = {
        db: resque.db,
        registry: resque.registry,
        batchSize: BATCH,
        stillLeader: async () => true,
        stopping: () => false,
        log,
      };
      // What was moved, and what to say when nothing was.
      let what: string;
      let none: string;
      if ("all" in target) {
        // Every timestamp counts as due: the largest second Redis and JS agree on.
        Object.assign(result, await drainDue({ ...drain, now: Number.MAX_SAFE_INTEGER }));
        [what, none] = [result.promoted === 1 ? "delayed job" : "delayed jobs", "No delayed jobs."];
      } else if ("ts" in target) {
        await drainTimestamp(drain, target.ts, result);
        what = `${result.promoted === 1 ? "job" : "jobs"} delayed until ${isoTime(target.ts)}`;
        none = `No delayed jobs at ${isoTime(target.ts)} (Unix ${target.ts}); \`resque delayed list\` shows the times that have some.`;
      } else {
        result.promoted = await enqueueDelayed(resque.db, target.className, target.args, args.queue, resque.registry);
        what = `delayed cop${result.promoted === 1 ? "y" : "ies"} of ${target.className} on ${args.queue}`;
        none = `No delayed job is stored as ${encodeDelayedItem(target.className, target.args, args.queue ?? null)}; nothing enqueued. Matching is by exact bytes: check the class, arguments and queue with \`resque delayed show TIME\`.`;
      }
      if (args.json) return printJson({ enqueued: result.promoted, dropped: result.dropped });
      if (result.promoted === 0 && result.dropped === 0) return say.warn(none);
      say.success(`Enqueued ${result.promoted} ${what}${result.dropped ? `; ${result.dropped} dropped (see above)` : ""}.`);
    });
  },
});
