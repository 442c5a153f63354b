/**
 * `resque delayed ...`: resque-scheduler's delayed jobs, as resque-web's Delayed tab shows them.
 * Times are printed as ISO 8601 UTC and Unix seconds, and either is accepted back.
 */
import { defineCommand } from "citty";
import type { DelayedEntry } from "../../client/delayed.ts";
import { delayedTimeView, delayedTimesView } from "../../client/views.ts";
import { encodeJson } from "../../protocol/json.ts";
import { clearDelayed, removeDelayedCommand } from "./delayed-remove.ts";
import { enqueueNowCommand } from "./delayed-enqueue-now.ts";
import { commonArgs, printJson, withResque } from "../kit/context.ts";
import { pageArgs, wholeArg } from "../kit/numbers.ts";
import { table } from "../kit/table.ts";
import { isoTime, parseTime, relative, TIME_FORMS } from "../kit/when.ts";
import { plural } from "../../protocol/plural.ts";

/** class(args) on queue, for tables; an undecodable item shows its bytes. */
export const describeEntry = ({ raw, item }: DelayedEntry): string =>
  item ? `${item.className}(${encodeJson(item.args).slice(1, -1)}) on ${item.queue ?? "(no queue)"}` : `(unreadable) ${raw}`;

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 3)}...` : text);

const list = defineCommand({
  meta: {
    name: "list",
    description: [
      "Times that have delayed jobs, oldest first, with how many are due at each and the first of them.",
      '--json: [{"timestamp":1795446938, "time":"2026-11-23T09:00:00Z", "jobs":2}, ...]',
      "Example: resque delayed list --offset 20 --limit 20",
    ].join("\n"),
  },
  args: { ...commonArgs, ...pageArgs },
  run: ({ args }) => {
    const offset = wholeArg("offset", args.offset, 0);
    const limit = wholeArg("limit", args.limit, 1);
    return withResque(args, async (resque) => {
      if (args.json) return printJson(await delayedTimesView(resque, offset, limit));
      const [total, stamps] = await Promise.all([resque.delayedQueueScheduleSize(), resque.delayedQueuePeek(offset, limit)]);
      const rows = await Promise.all(
        stamps.map(async (ts) => {
          const [jobs, [first]] = await Promise.all([resque.delayedTimestampSize(ts), resque.delayedTimestampPeek(ts, 0, 1)]);
          return { ts, jobs, first };
        }),
      );
      if (rows.length === 0)
        return console.log(total === 0 ? "No delayed jobs." : `No delayed times from offset ${offset}: ${total} in all.`);
      const now = Date.now();
      console.log(
        table(
          ["TIMESTAMP", "TIME (UTC)", "WHEN", "JOBS", "FIRST JOB"],
          rows.map(({ ts, jobs, first }) => [ts, isoTime(ts), relative(ts, now), jobs, first ? clip(describeEntry(first), 60) : ""]),
        ),
      );
      console.log(`\n${rows.length} of ${plural(total, "time")} shown; \`resque delayed show TIME\` lists a time's jobs.`);
    });
  },
});

const show = defineCommand({
  meta: {
    name: "show",
    description: [
      "The jobs due at one time: class, queue and arguments, oldest first.",
      `TIME is ${TIME_FORMS}, as \`resque delayed list\` prints it.`,
      '--json: {"timestamp":1795446938, "time":"2026-11-23T09:00:00Z", "jobs":2, "items":[{"class":"Report", "queue":"reports", "args":[7]}, ...]}; an undecodable item is {"unreadable":true, "raw":"..."}. jobs counts them all, items is the page.',
      "Example: resque delayed show 2026-11-23T09:00:00Z",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    ...pageArgs,
    time: { type: "positional", required: true, description: "The time, as `resque delayed list` shows it" },
  },
  run: ({ args }) => {
    const ts = parseTime(String(args.time), "TIME");
    const offset = wholeArg("offset", args.offset, 0);
    const limit = wholeArg("limit", args.limit, 1);
    return withResque(args, async (resque) => {
      if (args.json) return printJson(await delayedTimeView(resque, ts, offset, limit));
      const [jobs, entries] = await Promise.all([resque.delayedTimestampSize(ts), resque.delayedTimestampPeek(ts, offset, limit)]);
      if (entries.length === 0) {
        if (jobs > 0) return console.log(`No delayed jobs at ${isoTime(ts)} from offset ${offset}: ${jobs} in all.`);
        return console.log(`No delayed jobs at ${isoTime(ts)} (Unix ${ts}); \`resque delayed list\` shows the times that have some.`);
      }
      console.log(`${isoTime(ts)} (${relative(ts, Date.now())}; Unix ${ts})\n`);
      console.log(
        table(
          ["INDEX", "CLASS", "QUEUE", "ARGS"],
          entries.map((e, i) => [
            offset + i,
            e.item?.className ?? "(unreadable)",
            e.item ? (e.item.queue ?? "(no queue)") : "",
            e.item ? encodeJson(e.item.args) : e.raw,
          ]),
        ),
      );
      console.log(`\n${entries.length} of ${jobs} shown.`);
    });
  },
});

export const delayedCommand = defineCommand({
  meta: { name: "delayed", description: "Inspect, remove and enqueue resque-scheduler's delayed jobs (resque-web's Delayed tab)." },
  subCommands: { list, show, remove: removeDelayedCommand, clear: clearDelayed, "enqueue-now": enqueueNowCommand },
});
