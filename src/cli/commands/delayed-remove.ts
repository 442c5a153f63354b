/** `resque delayed remove` and `resque delayed clear`: take delayed jobs away before they run. */
import { defineCommand } from "citty";
import { removeDelayed, removeDelayedAt } from "../../client/delayed.ts";
import { encodeDelayedItem } from "../../protocol/delayed.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";
import { ARGS_HELP, parseArgs, stringsArg } from "../kit/job-args.ts";
import { isoTime, isTimeWord, parseTime } from "../kit/when.ts";
import { plural } from "../../protocol/plural.ts";

export const removeDelayedCommand = defineCommand({
  meta: {
    name: "remove",
    description: [
      "Remove every delayed copy of one job, at every time or (--at) at one.",
      "A copy matches by its exact stored bytes, as resque-scheduler's remove_delayed: class, arguments and queue. `resque delayed show TIME` lists what is stored.",
      ARGS_HELP,
      '--json: {"removed":2}',
      "Examples:",
      "  resque delayed remove Report 7 --queue reports",
      "  resque delayed remove Report 7 --queue reports --at 2026-11-23T09:00:00Z",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    class: { type: "positional", required: true, description: "Job class name" },
    args: { type: "positional", required: false, variadic: true, description: "The job's arguments" },
    queue: { type: "string", required: true, valueHint: "QUEUE", description: "The queue it was delayed onto, part of what is matched" },
    at: {
      type: "string",
      valueHint: "TIME",
      description: "Only the copies due at this time (Unix seconds or ISO 8601 with a zone)",
      continues: isTimeWord,
    },
    ...stringsArg,
  },
  run: ({ args }) => {
    const ts = args.at === undefined ? undefined : parseTime(args.at);
    const [className, ...rest] = (args._ as string[]).map(String);
    const jobArgs = parseArgs(rest, Boolean(args.strings));
    return withResque(args, async (resque) => {
      const removed =
        ts === undefined
          ? await removeDelayed(resque.db, className!, jobArgs, args.queue, resque.registry)
          : await removeDelayedAt(resque.db, ts, className!, jobArgs, resque.registry, args.queue);
      if (args.json) return printJson({ removed });
      const where = ts === undefined ? "" : ` at ${isoTime(ts)}`;
      if (removed > 0)
        return say.success(`Removed ${removed} delayed cop${removed === 1 ? "y" : "ies"} of ${className} on ${args.queue}${where}.`);
      say.warn(
        `No delayed job${where} is stored as ${encodeDelayedItem(className!, jobArgs, args.queue)}; nothing removed. Matching is by exact bytes: check the class, arguments and queue with \`resque delayed show TIME\`.`,
      );
    });
  },
});

export const clearDelayed = defineCommand({
  meta: {
    name: "clear",
    description: [
      "Delete every delayed job (resque-scheduler's reset_delayed_queue, resque-web's Clear).",
      "They have not run and no copy is kept, so it asks for --yes.",
      '--json: {"removed":12}',
      "Example: resque delayed clear --yes",
    ].join("\n"),
  },
  args: { ...commonArgs, yes: { type: "boolean", description: "Really delete them all" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      if (!args.yes) {
        const times = await resque.delayedQueueScheduleSize();
        if (times === 0) return args.json ? printJson({ removed: 0 }) : say.info("No delayed jobs.");
        throw new UsageError(
          `This deletes every delayed job, at ${plural(times, "time")}, and they cannot be brought back; to go on: resque delayed clear --yes`,
        );
      }
      const removed = await resque.resetDelayedQueue();
      return args.json ? printJson({ removed }) : say.success(`Cleared ${plural(removed, "delayed job")}.`);
    }),
});
