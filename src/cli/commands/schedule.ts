/** `resque schedule ...`: the recurring schedules stored in Redis (resque-scheduler's persistent_schedules). */
import { defineCommand } from "citty";
import type { ScheduleConfig } from "../../client/schedules.ts";
import { schedulesView } from "../../client/views.ts";
import { decodeJson } from "../../protocol/json-decode.ts";
import { encodeJson, type JsonValue } from "../../protocol/json.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";
import { table } from "../kit/table.ts";

const nameArg = { name: { type: "positional", required: true, description: "Schedule name" } } as const;

type Config = { [key: string]: JsonValue | undefined };

/** How a config says when it runs, for the table. */
function whenOf(config: Config): string {
  for (const kind of ["cron", "every"]) {
    const v = config[kind];
    if (v === undefined || v === null || v === "") continue;
    return `${kind} ${typeof v === "string" ? v : encodeJson(v)}`;
  }
  return "(by hand only)";
}

const list = defineCommand({
  meta: { name: "list", description: "List the schedules stored in Redis, with their last runs.\nExample: resque schedule list --json" },
  args: commonArgs,
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const all = await resque.schedules();
      const last = await resque.scheduleLastRuns();
      const names = Object.keys(all).sort();
      if (args.json) return printJson(await schedulesView(resque));
      if (names.length === 0)
        return console.log("No schedules stored in Redis. (Schedules from a --schedule file live in each scheduler process.)");
      console.log(
        table(
          ["NAME", "WHEN", "CLASS", "QUEUE", "LAST RUN", "DESCRIPTION"],
          names.map((name) => {
            const config = (all[name] ?? {}) as Config;
            const text = (key: string) => (typeof config[key] === "string" ? (config[key] as string) : "");
            if (typeof config["unreadable"] === "string")
              return [name, `unreadable (${text("unreadable")})`, "", "", last[name] ?? "never", text("raw").slice(0, 60)];
            return [
              name,
              whenOf(config),
              text("custom_job_class") || text("class"),
              text("queue"),
              last[name] ?? "never",
              text("description"),
            ];
          }),
        ),
      );
    }),
});

function jsonFlag(flag: string, text: string): JsonValue {
  try {
    return decodeJson(text);
  } catch (error) {
    throw new UsageError(`--${flag} must be JSON (for example '[1, "a"]' or '{"key": "value"}'): ${(error as Error).message}`);
  }
}

/** The config from the flags, keys in the order resque-scheduler's README writes them. */
function configFrom(args: Record<string, unknown>): ScheduleConfig {
  const text = (flag: string): string | undefined =>
    typeof args[flag] === "string" && args[flag] !== "" ? (args[flag] as string) : undefined;
  const given = text("config");
  if (given !== undefined) {
    const config = jsonFlag("config", given);
    if (config === null || typeof config !== "object" || Array.isArray(config))
      throw new UsageError("--config must be a JSON object of settings.");
    return config as ScheduleConfig;
  }
  const cron = text("cron");
  const every = text("every");
  if (cron !== undefined && every !== undefined)
    throw new UsageError("Give --cron or --every, not both (Ruby would use the cron and ignore the every).");
  const firstIn = text("first-in");
  const timing = (value: string) => (firstIn === undefined ? value : ([value, { first_in: firstIn }] as [string, Record<string, unknown>]));
  const args0 = text("args");
  const catchUp = text("catch-up") as "off" | "once" | "all" | undefined;
  if (catchUp !== undefined && !["off", "once", "all"].includes(catchUp))
    throw new UsageError(`--catch-up must be off, once or all, got "${catchUp}".`);
  return {
    ...(text("class") !== undefined && { class: text("class") }),
    ...(cron !== undefined && { cron: timing(cron) }),
    ...(every !== undefined && { every: timing(every) }),
    ...(text("queue") !== undefined && { queue: text("queue") }),
    ...(args0 !== undefined && { args: jsonFlag("args", args0) }),
    ...(text("description") !== undefined && { description: text("description") }),
    ...(text("custom-job-class") !== undefined && { custom_job_class: text("custom-job-class") }),
    ...(text("rails-env") !== undefined && { rails_env: text("rails-env") }),
    ...(catchUp !== undefined && { catch_up: catchUp }),
  };
}

const add = defineCommand({
  meta: {
    name: "add",
    description:
      "Store a schedule in Redis (set_schedule with persist), or replace one; every scheduler picks it up.\n" +
      "Example: resque schedule add nightly --cron '0 3 * * * America/Chicago' --class Cleanup --queue low --args '[\"all\"]'",
  },
  args: {
    ...commonArgs,
    ...nameArg,
    cron: { type: "string", valueHint: "LINE", description: "Cron line: 5 fields, or 6 with seconds first, then an optional time zone" },
    every: { type: "string", valueHint: "DURATION", description: "Interval such as 30s, 5m, 1h, 1d" },
    "first-in": { type: "string", valueHint: "DURATION", description: "First run this long after a scheduler loads it" },
    class: { type: "string", valueHint: "CLASS", description: "Job class to enqueue (default: the name)" },
    queue: { type: "string", valueHint: "QUEUE", description: "Queue to push to" },
    args: { type: "string", valueHint: "JSON", description: "Job arguments as JSON; a non-list is passed as the one argument" },
    description: { type: "string", valueHint: "TEXT", description: "Shown in resque-web's Schedule tab" },
    "custom-job-class": { type: "string", valueHint: "CLASS", description: "resque-scheduler's custom_job_class" },
    "rails-env": {
      type: "string",
      valueHint: "ENVS",
      description: "Load only in schedulers with one of these environments (comma-separated)",
    },
    "catch-up": { type: "string", valueHint: "off|once|all", description: "Runs missed while no scheduler led: run once, all, or none" },
    config: { type: "string", valueHint: "JSON", description: "The whole config as a JSON object, instead of the flags above" },
  },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const config = configFrom(args as Record<string, unknown>);
      if (config.class === undefined) config.class = args.name;
      await resque.setSchedule(args.name, { ...config, persist: true });
      const stored = await resque.fetchSchedule(args.name);
      return args.json
        ? printJson({ name: args.name, config: stored })
        : say.success(`Stored schedule ${args.name}: ${encodeJson(stored)}`);
    }),
});

const remove = defineCommand({
  meta: {
    name: "remove",
    description: "Remove a stored schedule (remove_schedule); schedulers stop firing it.\nExample: resque schedule remove nightly",
  },
  args: { ...commonArgs, ...nameArg },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      if (!(await resque.removeSchedule(args.name)))
        throw new UsageError(`No schedule named "${args.name}" is stored in Redis; \`resque schedule list\` shows them.`);
      return args.json ? printJson({ removed: args.name }) : say.success(`Removed schedule ${args.name}.`);
    }),
});

const runNow = defineCommand({
  meta: {
    name: "run-now",
    description: 'Enqueue one run of a stored schedule now, as resque-web\'s "Queue now" does.\nExample: resque schedule run-now nightly',
  },
  args: { ...commonArgs, ...nameArg },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const run = await resque.runScheduleNow(args.name);
      return args.json
        ? printJson({ name: args.name, ...run })
        : say.success(`Queued ${run.className} on ${run.queue} (schedule ${args.name}).`);
    }),
});

export const scheduleCommand = defineCommand({
  meta: {
    name: "schedule",
    description: "List, add, remove and run the recurring schedules stored in Redis (resque-scheduler's dynamic schedules).",
  },
  subCommands: { list, add, remove, "run-now": runNow },
});
