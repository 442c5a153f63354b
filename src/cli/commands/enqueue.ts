/**
 * `resque enqueue`: one job (args are JSON when they are JSON, strings otherwise; see job-args.ts), now or
 * delayed (--at, --in), one raw payload (--json), or many newline-delimited payloads from a file or
 * stdin (--bulk), pipelined.
 */
import { defineCommand } from "citty";
import { decodePayload, isMalformed } from "../../protocol/payload.ts";
import { bulk } from "./bulk.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";
import { enqueueActiveJobCli } from "./enqueue-active-job.ts";
import { enqueueLater, readLater } from "./enqueue-later.ts";
import { isDurationWord, isTimeWord } from "../kit/when.ts";
import { ARGS_HELP, parseArgs, stringsArg } from "../kit/job-args.ts";
import { wholeArg } from "../kit/numbers.ts";

export const enqueueCommand = defineCommand({
  meta: {
    name: "enqueue",
    description: [
      "Push jobs to a queue: one job, now or later (--at, --in), one raw payload (--json) or many (--bulk).",
      ARGS_HELP,
      "--at and --in store a delayed job for resque-scheduler (`resque scheduler` or Ruby's) to enqueue when due. A time with no zone is refused rather than guessed: this host, the scheduler's host and UTC may each read it differently. A time not in the future enqueues the job now, as resque-scheduler does, and says so.",
      "Examples:",
      "  resque enqueue Archive 42 '{\"deep\":true}' --queue archive",
      "  resque enqueue Report 7 --queue reports --in 1h30m",
      "  resque enqueue Report 7 --queue reports --at 2026-11-23T09:00:00Z",
      '  resque enqueue --queue q --json \'{"class":"A","args":[1]}\'',
      "  resque enqueue --queue q --bulk jobs.ndjson    (--bulk - reads stdin)",
      "  resque enqueue --active-job ArchiveJob 42 '{\"compress\":true}' --queue archive --symbol-keys   (for Rails workers)",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    class: { type: "positional", required: false, description: "Job class name as workers know it" },
    args: { type: "positional", required: false, variadic: true, description: "The job's arguments" },
    queue: { type: "string", required: true, valueHint: "QUEUE", description: "Queue to push to" },
    payload: { type: "string", valueHint: "JSON", description: 'With --json: a whole payload, {"class":...,"args":[...]}' },
    bulk: {
      type: "string",
      valueHint: "FILE",
      description: "One payload per line from a file, or - for stdin; bad lines are named and not pushed",
    },
    at: {
      type: "string",
      valueHint: "TIME",
      description: "Delay until then: Unix seconds, or ISO 8601 with Z or an offset (2026-11-23T09:00:00Z, 2026-11-23T10:00+01:00)",
      continues: isTimeWord,
    },
    in: {
      type: "string",
      valueHint: "DURATION",
      description: 'Delay by this long: seconds (90) or 90s, 5m, 2h, 1d, 1h30m, "5 minutes" (quoted)',
      continues: isDurationWord,
    },
    "active-job": {
      type: "string",
      valueHint: "CLASS",
      description:
        "For Rails workers: push the ActiveJob payload CLASS.perform_later(ARGS...) writes (resque's JobWrapper); --at/--in as set(wait_until:/wait:)",
    },
    priority: { type: "string", valueHint: "N", description: "With --active-job: ActiveJob's priority" },
    "symbol-keys": { type: "boolean", description: "With --active-job: send objects as Ruby hashes with Symbol keys" },
    ...stringsArg,
    durable: {
      type: "string",
      valueHint: "N",
      bareValue: "1",
      description: "Wait until N replicas hold the job (Redis WAIT; --durable alone: 1); exit 2 if fewer did in --durable-timeout",
    },
    "durable-timeout": {
      type: "string",
      valueHint: "MS",
      default: "1000",
      description: "With --durable: how long to wait for the replicas",
    },
  },
  run: ({ args }) => {
    // Read before connecting, so a bad time is reported as such (and nothing is written) whatever Redis is doing.
    // With --active-job, --json asks for JSON output, not a raw payload.
    const later = readLater(args["active-job"] === undefined ? args : { ...args, json: false });
    const durable =
      args.durable === undefined
        ? undefined
        : { replicas: wholeArg("durable", args.durable, 1), timeoutMs: wholeArg("durable-timeout", args["durable-timeout"], 1) };
    return withResque(
      args,
      async (resque) => {
        const positional = (args._ as string[]).map(String);
        const activeJob = args["active-job"];
        if (activeJob !== undefined) {
          if (!activeJob)
            throw new UsageError("--active-job names the Rails job class: resque enqueue --active-job ArchiveJob 42 --queue archive");
          if (args.bulk !== undefined || args.payload !== undefined)
            throw new UsageError("--active-job enqueues one job given as --active-job CLASS [ARGS...]; leave out --bulk and --payload.");
          return enqueueActiveJobCli(
            resque,
            activeJob,
            parseArgs(positional, Boolean(args.strings)),
            {
              queue: args.queue,
              ...(args.priority !== undefined && { priority: args.priority }),
              symbolKeys: Boolean(args["symbol-keys"]),
              json: Boolean(args.json),
            },
            later,
          );
        }
        if (args.strings && (args.bulk || args.json))
          throw new UsageError("--strings reads the arguments of CLASS [ARGS...]; --json and --bulk take whole payloads, leave it out.");
        if (args.bulk) {
          if (positional.length > 0)
            throw new UsageError(
              `--bulk reads every job from ${args.bulk === "-" ? "stdin" : args.bulk}; leave out the arguments (${positional.join(" ")}).`,
            );
          return bulk(resque, args.queue, args.bulk, Boolean(args.json));
        }
        if (args.json) {
          if (positional.length > (args.payload ? 0 : 1))
            throw new UsageError('--json pushes exactly one payload: resque enqueue --queue q --json \'{"class":"A","args":[]}\'');
          const raw = args.payload ?? positional[0];
          if (!raw) throw new UsageError('--json wants one payload: resque enqueue --queue q --json \'{"class":"A","args":[]}\'');
          const payload = decodePayload(raw);
          if (isMalformed(payload)) throw new UsageError(`Not pushed: ${payload.problem}`);
          await resque.push(args.queue, raw);
          return printJson({ queue: args.queue, payload: payload.object });
        }
        const [className, ...rest] = positional;
        if (!className) throw new UsageError("Name the job class: resque enqueue Archive 42 --queue archive");
        const jobArgs = parseArgs(rest, Boolean(args.strings));
        if (later) return enqueueLater(resque, args.queue, className, jobArgs, later);
        await resque.enqueueTo(args.queue, className, ...jobArgs);
        say.success(`Enqueued ${className} on ${args.queue}`);
      },
      durable && { durable },
    );
  },
});
