/** `resque failed ...`: the failed list, as resque-web's Failed tab (indexes are list positions, 0 = oldest). */
import { defineCommand } from "citty";
import type { FailureRecord } from "../../client/failed.ts";
import { failureView } from "../../client/views.ts";
import { encodeJson } from "../../protocol/json.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";
import { wholeArg } from "../kit/numbers.ts";
import { table } from "../kit/table.ts";
import { plural } from "../../protocol/plural.ts";

const filterArgs = {
  queue: { type: "string", valueHint: "QUEUE", description: "Only failures from this queue" },
  class: { type: "string", valueHint: "CLASS", description: "Only failures of this job class" },
} as const;

const classOf = (f: FailureRecord) =>
  f.unreadable
    ? "(unreadable)"
    : f.payload && typeof f.payload === "object" && !Array.isArray(f.payload)
      ? String((f.payload as Record<string, unknown>)["class"])
      : "(unreadable payload)";

const argsOf = (f: FailureRecord) =>
  f.payload && typeof f.payload === "object" && !Array.isArray(f.payload)
    ? encodeJson((f.payload as Record<string, unknown>)["args"] ?? [])
    : JSON.stringify(f.payload);

const jsonOf = failureView;

function indexArg(value: unknown): number {
  const text = String(value);
  if (!/^\d+$/.test(text)) {
    throw new UsageError(
      `"${text}" is not a failure index: indexes are whole numbers from 0 (the oldest failure); \`resque failed list\` shows them.`,
    );
  }
  return Number(text);
}

const list = defineCommand({
  meta: { name: "list", description: "List failures, oldest first.\nExample: resque failed list --queue mail --limit 50" },
  args: {
    ...commonArgs,
    ...filterArgs,
    offset: { type: "string", default: "0", valueHint: "N", description: "Skip this many matching failures" },
    limit: { type: "string", default: "20", valueHint: "N", description: "Show at most this many" },
  },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const offset = wholeArg("offset", args.offset, 0);
      const limit = wholeArg("limit", args.limit, 1);
      const all = await resque.failed.list(0, await resque.failed.count());
      const matching = all.filter((f) => (!args.queue || f.queue === args.queue) && (!args.class || classOf(f) === args.class));
      const page = matching.slice(offset, offset + limit);
      if (args.json) return printJson(page.map(jsonOf));
      if (page.length === 0) {
        if (all.length === 0) return console.log("No failed jobs.");
        const filter = [args.queue && `--queue ${args.queue}`, args.class && `--class ${args.class}`].filter(Boolean).join(" ");
        if (matching.length === 0) return console.log(`No failed jobs match ${filter} (${plural(all.length, "failure")} in all).`);
        return console.log(`No failed jobs from offset ${offset}: ${matching.length}${filter ? ` match ${filter}` : " in all"}.`);
      }
      console.log(
        table(
          ["INDEX", "FAILED AT", "QUEUE", "CLASS", "EXCEPTION", "ERROR", "RETRIED"],
          page.map((f) => [
            f.index,
            f.failedAt,
            f.queue,
            classOf(f),
            f.unreadable ?? f.exception,
            (f.unreadable ? f.raw : f.error).split("\n")[0]!.slice(0, 60),
            f.retriedAt ?? "",
          ]),
        ),
      );
      console.log(
        `\n${page.length} of ${matching.length} shown${matching.length === all.length ? "" : ` (${plural(all.length, "failure")} in all)`}.`,
      );
    }),
});

const show = defineCommand({
  meta: { name: "show", description: "Show one failure whole.\nExample: resque failed show 0" },
  args: { ...commonArgs, index: { type: "positional", required: true, description: "Failure index, 0 = oldest" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const f = await resque.failed.get(indexArg(args.index));
      if (!f) throw new UsageError(`No failed job at index ${args.index} (there are ${await resque.failed.count()}).`);
      if (f.unreadable) {
        if (args.json) return printJson(jsonOf(f));
        return console.log(
          table(
            ["FIELD", "VALUE"],
            [
              ["index", f.index],
              ["unreadable", f.unreadable],
              ["raw", f.raw],
            ],
          ),
        );
      }
      if (args.json) return console.log(f.raw);
      console.log(
        table(
          ["FIELD", "VALUE"],
          [
            ["index", f.index],
            ["failed_at", f.failedAt],
            ["queue", f.queue],
            ["worker", f.worker],
            ["class", classOf(f)],
            ["args", argsOf(f)],
            ["exception", f.exception],
            ["error", f.error],
            ["retried_at", f.retriedAt ?? ""],
          ],
        ),
      );
      if (f.backtrace.length > 0) console.log(`\nbacktrace:\n  ${f.backtrace.join("\n  ")}`);
    }),
});

const retry = defineCommand({
  meta: { name: "retry", description: "Enqueue one failure again (the record stays, marked retried_at).\nExample: resque failed retry 3" },
  args: { ...commonArgs, index: { type: "positional", required: true, description: "Failure index, 0 = oldest" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const f = await resque.failed.retry(indexArg(args.index));
      return args.json ? printJson({ retried: [f.index] }) : say.success(`Retried ${classOf(f)} from ${f.queue} (index ${f.index}).`);
    }),
});

const retryAll = defineCommand({
  meta: {
    name: "retry-all",
    description: "Retry every failure, or those of a queue or class.\nExample: resque failed retry-all --class Archive",
  },
  args: { ...commonArgs, ...filterArgs },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const n = await resque.failed.retryAll({ ...(args.queue && { queue: args.queue }), ...(args.class && { className: args.class }) });
      return args.json ? printJson({ retried: n }) : say.success(`Retried ${plural(n, "failed job")}.`);
    }),
});

const remove = defineCommand({
  meta: {
    name: "remove",
    description: "Remove one failure by index, or all of a queue or class.\nExample: resque failed remove --queue mail",
  },
  args: { ...commonArgs, ...filterArgs, index: { type: "positional", required: false, description: "Failure index, 0 = oldest" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      let n: number;
      if (args.index !== undefined) {
        await resque.failed.remove(indexArg(args.index));
        n = 1;
      } else if (args.queue || args.class) {
        n = await resque.failed.removeWhere({ ...(args.queue && { queue: args.queue }), ...(args.class && { className: args.class }) });
      } else {
        throw new UsageError("Say which failures to remove: an index, --queue or --class (or `resque failed clear` for all).");
      }
      return args.json ? printJson({ removed: n }) : say.success(`Removed ${plural(n, "failed job")}.`);
    }),
});

const clear = defineCommand({
  meta: {
    name: "clear",
    description: "Delete every failure (or only retried ones with --retried).\nExample: resque failed clear --retried",
  },
  args: { ...commonArgs, retried: { type: "boolean", description: "Only failures already retried" } },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const n = args.retried ? await resque.failed.clearRetried() : await resque.failed.clear();
      return args.json ? printJson({ removed: n }) : say.success(`Cleared ${plural(n, "failed job")}.`);
    }),
});

export const failedCommand = defineCommand({
  meta: { name: "failed", description: "Inspect, retry and remove failed jobs (indexes are list positions, 0 = oldest)." },
  subCommands: { list, show, retry, "retry-all": retryAll, remove, clear },
});
