/** `resque stats`: stock's Resque.info, once or refreshed with --watch (which outlives a Redis restart). */
import { defineCommand } from "citty";
import process from "node:process";
import type { Resque } from "../../client/resque.ts";
import { statsView } from "../../client/views.ts";
import { ResqueError } from "../../errors.ts";
import { currentRuntime } from "../../runtime/detect.ts";
import { connectionFailure } from "../../store/connection.ts";
import { aside } from "../kit/console.ts";
import { commonArgs, printJson, UsageError, withResque } from "../kit/context.ts";
import { table } from "../kit/table.ts";
import { plural } from "../../protocol/plural.ts";

async function render(resque: Resque, json: boolean): Promise<string> {
  // The lock key the schedulers share, as `resque scheduler` reads it.
  const lockPrefix = currentRuntime().env("RESQUE_SCHEDULER_MASTER_LOCK_PREFIX") || undefined;
  const view = await statsView(resque, lockPrefix);
  if (json) return JSON.stringify(view);
  const { delayedTimestamps, scheduler, ...info } = view;
  const rows = [
    ["pending", info.pending],
    ["processed", info.processed],
    ["failed", info.failed],
    ["queues", info.queues],
    ["workers", info.workers],
    ["working", info.working],
    ["environment", info.environment],
    ["servers", info.servers.join(", ")],
    // resque-scheduler's delayed_queue_schedule_size: times, not jobs (counting jobs reads every time's list).
    ["delayed times", delayedTimestamps],
    ["scheduler", scheduler.leader ?? "none leading"],
    ["delayed due", scheduler.dueJobs === 0 ? "0" : `${plural(scheduler.dueJobs, "job")}, oldest ${scheduler.lagSeconds}s late`],
  ];
  return table(["STAT", "VALUE"], rows);
}

/** Redraw until stopped. A CLI connection never reconnects by itself, so a lost one is opened again here, and each outage is told once. */
async function watch(resque: Resque, json: boolean, everyMs: number): Promise<never> {
  const redis = resque.db.redis;
  // Clearing the screen only makes sense on a terminal; a pipe gets one snapshot after another.
  const tty = Boolean(process.stdout.isTTY) && !json;
  const address = resque.db.location.address;
  const retrying = `retrying every ${everyMs / 1000}s; Ctrl-C to stop`;
  // Per outage: whether it was noticed, and whether the reason was told (each is said once).
  let down = false;
  let told = false;
  let note = "";
  for (;;) {
    try {
      if (redis.status === "end" || redis.status === "close") {
        if (!down) aside.warn(`Lost the connection to Redis at ${address}; ${retrying}.`);
        down = true;
        await redis.connect();
      }
      const text = await render(resque, json);
      if (down) {
        down = told = false;
        note = `; reconnected at ${new Date().toTimeString().slice(0, 8)}`;
        aside.success(`Reconnected to Redis at ${address}.`);
      }
      if (json) process.stdout.write(`${text}\n`);
      else if (tty) process.stdout.write(`\x1b[H\x1b[2J${text}\n\n(refreshing every ${everyMs / 1000}s${note}; Ctrl-C to stop)\n`);
      else process.stdout.write(`${text}\n\n`);
    } catch (error) {
      // Anything but a lost or refused connection is a real error.
      if (redis.status === "ready") throw error;
      const advice = connectionFailure(resque.db, error);
      if (!told)
        aside.warn(
          `${advice instanceof ResqueError ? advice.message : `Redis at ${address}: ${(error as Error).message}.`} ${retrying[0]!.toUpperCase()}${retrying.slice(1)}.`,
        );
      down = told = true;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const statsCommand = defineCommand({
  meta: {
    name: "stats",
    description:
      "Show pending, processed, failed and workers, as resque-web's Stats tab, and the delayed jobs' scheduler.\n--json adds to Resque.info's fields queueSizes, delayedTimestamps (times with delayed jobs) and scheduler: {leader, lagSeconds, dueTimestamps, dueJobs}.\nExample: resque stats --watch",
  },
  args: {
    ...commonArgs,
    watch: { type: "boolean", description: "Refresh every --every seconds until Ctrl-C, reconnecting if Redis goes away" },
    every: { type: "string", default: "2", valueHint: "SECONDS", description: "Seconds between refreshes, at least 0.2" },
  },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const every = Number(args.every);
      if (args.every.trim() === "" || !Number.isFinite(every) || every < 0.2)
        throw new UsageError(`--every wants seconds, at least 0.2, got "${args.every}".`);
      if (args.watch) return watch(resque, Boolean(args.json), every * 1000);
      const text = await render(resque, Boolean(args.json));
      return args.json ? printJson(JSON.parse(text)) : console.log(text);
    }),
});
