/** `resque prune`: remove dead workers now, by stock's rules (expired heartbeat; this host, pid gone). */
import { defineCommand } from "citty";
import { currentRuntime } from "../runtime/detect.ts";
import { pruneDeadWorkers } from "../worker/prune.ts";
import { commonArgs, printJson, say, withResque } from "./context.ts";

export const pruneCommand = defineCommand({
  meta: { name: "prune", description: "Unregister dead workers and record their jobs as failed (Resque::DirtyExit). Example: resque prune" },
  args: { ...commonArgs, "prune-interval": { type: "string", default: "300", description: "Heartbeats older than this many seconds count as dead (stock: 300)" } },
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
        pruneInterval: Number(args["prune-interval"]) || 300,
        takeLock: false,
      });
      if (args.json) return printJson({ pruned });
      if (pruned.length === 0) return say.info("No dead workers.");
      for (const id of pruned) say.success(`Pruned ${id}`);
    }),
});
