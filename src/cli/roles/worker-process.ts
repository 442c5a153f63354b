/** `resque worker-process`: one worker process under a master (not for direct use). */
import { defineCommand } from "citty";
import { currentRuntime } from "../../runtime/detect.ts";
import { closeDb } from "../../store/connection.ts";
import type { WorkerMessage } from "../../master/messages.ts";
import { TICK_MS } from "../../master/watchdog.ts";
import { refuseJobSignal } from "../../worker/job-signals.ts";
import type { Worker } from "../../worker/worker.ts";
import { journal } from "../kit/console.ts";
import { reportError } from "../kit/errors.ts";
import { trapWhileStarting, trapWorkerProcessSignals } from "./worker-process-signals.ts";
import { dbFor, settingsFrom, workArgs, workerFor } from "./worker-setup.ts";

/** Orphaned (the master is gone), a process gives up on an unreachable Redis after this long. */
const ORPHAN_OUTAGE_MS = 10_000;

export const workerProcessCommand = defineCommand({
  meta: { name: "worker-process", description: "(internal) one worker process, started by `resque work`", hidden: true },
  args: workArgs,
  async run({ args }) {
    const runtime = currentRuntime();
    const parent = runtime.parent();
    let worker: Worker | undefined;
    // The liveness tick, from the first moment: it stops only when this event loop is stuck, and
    // carries the deadlines of the jobs in flight, so the master can kill a job that overstays.
    const sendTick = () => parent?.send({ type: "tick", deadlines: worker?.deadlines() ?? [] } satisfies WorkerMessage);
    // One now: a job that blocks the loop before the first interval must not enjoy the start-up allowance.
    sendTick();
    const tick = setInterval(sendTick, TICK_MS);
    // Its signals, while starting and once running: worker-process-signals.ts.
    const untrapStarting = trapWhileStarting(runtime);
    // Job code runs here: it may not signal the master, nor send this worker its own control signals.
    if (parent) {
      const master = runtime.ppid;
      runtime.guardSignals((pid, signal) => refuseJobSignal(pid, signal, runtime.pid, master));
    }
    try {
      const settings = settingsFrom(runtime, args);
      const db = dbFor(runtime, settings, args);
      worker = await workerFor(runtime, settings, db, {
        maxJobs: settings.jobsPerFork,
        maxRss: settings.maxWorkerRss * 1024 * 1024,
        supervised: parent !== undefined,
        onDraining: () => parent?.send({ type: "draining" } satisfies WorkerMessage),
        onRegistered: () => parent?.send({ type: "registered" } satisfies WorkerMessage),
        // Killed from the dashboard: the master kills this process and charges only these jobs.
        onKill: (jobs) =>
          parent?.send({ type: "kill", tokens: jobs.map((j) => j.token), startedMs: jobs.map((j) => j.startedMs) } satisfies WorkerMessage),
      });
      const w = worker;
      untrapStarting();
      trapWorkerProcessSignals(runtime, w, parent);
      // The master is gone (even by SIGKILL): finish what is in flight instead of running orphaned.
      // If Redis stays unreachable meanwhile, do not linger for ever: the jobs stay in this
      // worker's in-flight list, and the next worker or master on this host puts them back.
      parent?.onGone(() => {
        w.shutdown();
        let downSince: number | undefined;
        setInterval(() => {
          if (db.redis.status === "ready") downSince = undefined;
          else downSince ??= Date.now();
          if (downSince !== undefined && Date.now() - downSince >= ORPHAN_OUTAGE_MS) {
            journal.warn(
              `The master is gone and Redis has been unreachable for ${ORPHAN_OUTAGE_MS / 1000} s; exiting. Jobs still in flight stay in Redis for the next worker on this host.`,
            );
            runtime.exit(1);
          }
        }, 1000);
      });
      await w.work();
      clearInterval(tick);
      await closeDb(db);
      runtime.exit(0);
    } catch (error) {
      clearInterval(tick);
      runtime.exit(reportError(error));
    }
  },
});
