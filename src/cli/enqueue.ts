/**
 * `resque enqueue`: one job (args are JSON when they parse as JSON, strings otherwise), one raw
 * payload (--json), or many newline-delimited payloads from a file or stdin (--bulk), pipelined.
 */
import { defineCommand } from "citty";
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import { bulk } from "./bulk.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "./context.ts";
import { parseArg } from "./job-args.ts";

export const enqueueCommand = defineCommand({
  meta: {
    name: "enqueue",
    description: [
      "Push jobs to a queue: one job, one raw payload (--json) or many (--bulk).",
      "Arguments are JSON when they parse as JSON (42, -1.5, {\"a\":1}), strings otherwise; put -- before arguments that start with --.",
      "Examples:",
      "  resque enqueue Archive 42 '{\"deep\":true}' --queue archive",
      "  resque enqueue --queue q --json '{\"class\":\"A\",\"args\":[1]}'",
      "  resque enqueue --queue q --bulk jobs.ndjson    (--bulk - reads stdin)",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    class: { type: "positional", required: false, description: "Job class name as workers know it" },
    args: { type: "positional", required: false, variadic: true, description: "The job's arguments" },
    queue: { type: "string", required: true, valueHint: "QUEUE", description: "Queue to push to" },
    payload: { type: "string", valueHint: "JSON", description: "With --json: a whole payload, {\"class\":...,\"args\":[...]}" },
    bulk: { type: "string", valueHint: "FILE", description: "One payload per line from a file, or - for stdin; bad lines are named and not pushed" },
  },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const positional = (args._ as string[]).map(String);
      if (args.bulk) {
        if (positional.length > 0) throw new UsageError(`--bulk reads every job from ${args.bulk === "-" ? "stdin" : args.bulk}; leave out the arguments (${positional.join(" ")}).`);
        return bulk(resque, args.queue, args.bulk, Boolean(args.json));
      }
      if (args.json) {
        if (positional.length > (args.payload ? 0 : 1)) throw new UsageError("--json pushes exactly one payload: resque enqueue --queue q --json '{\"class\":\"A\",\"args\":[]}'");
        const raw = args.payload ?? positional[0];
        if (!raw) throw new UsageError("--json wants one payload: resque enqueue --queue q --json '{\"class\":\"A\",\"args\":[]}'");
        const payload = decodePayload(raw);
        if (isMalformed(payload)) throw new UsageError(`Not pushed: ${payload.problem}`);
        await resque.push(args.queue, raw);
        return printJson({ queue: args.queue, payload: payload.object });
      }
      const [className, ...rest] = positional;
      if (!className) throw new UsageError("Name the job class: resque enqueue Archive 42 --queue archive");
      await resque.enqueueTo(args.queue, className, ...rest.map(parseArg));
      say.success(`Enqueued ${className} on ${args.queue}`);
    }),
});
