/** `resque prune`: remove dead workers now, by stock's rules (expired heartbeat; this host, pid gone). */
import { defineCommand } from "citty";
import { currentRuntime } from "../../runtime/detect.ts";
import { pruneDeadWorkers } from "../../worker/prune.ts";
import { commonArgs, printJson, say, UsageError, withResque } from "../kit/context.ts";

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--prune-interval wants seconds above 0, got "${value}".`);
  return n;
}

export const pruneCommand = defineCommand({
  meta: {
    name: "prune",
    description: [
      "Unregister dead workers now and recover their jobs, by stock's rules.",
      "Dead: a worker on any host whose heartbeat is older than --prune-interval, or one registered on this host whose process is gone.",
      "Jobs our workers had in flight go back to the head of their queues (a job whose process died 3 times fails as Resque::PoisonJob); a stock Ruby worker's job is recorded as failed (Resque::DirtyExit, or Resque::PruneDeadWorkerDirtyExit for an expired heartbeat), as stock does.",
      "A process alive on this host is never pruned, whatever its heartbeat says.",
    ].join("\n"),
  },
  args: {
    ...commonArgs,
    "prune-interval": {
      type: "string",
      default: "300",
      valueHint: "SECONDS",
      description: "Heartbeats older than this count as dead (stock's prune_interval)",
    },
  },
  run: ({ args }) =>
    withResque(args, async (resque) => {
      const runtime = currentRuntime();
      const pruned = await pruneDeadWorkers({
        db: resque.db,
        id: `${runtime.hostname()}:${runtime.pid}:*`,
        hostname: runtime.hostname(),
        // "*" matches every worker's queue list, so any dead worker on this host qualifies.
        queues: ["*"],
        processes: () => runtime.processes(),
        heartbeatInterval: 60,
        pruneInterval: seconds(args["prune-interval"]),
        takeLock: false,
      });
      if (args.json) return printJson({ pruned });
      if (pruned.length === 0) return say.info("No dead workers.");
      for (const id of pruned) say.success(`Pruned ${id}`);
    }),
});
