/**
 * The signals of a worker process under a master: what it does on each while it starts, and once
 * its worker runs. The master relays QUIT, TERM, USR2 and CONT to it, and sends KILL for USR1;
 * any of them may also be sent to one worker process directly. Read by `trapWhileStarting` and
 * `trapWorkerProcessSignals`, which worker-process.ts calls.
 */
import type { WorkerMessage } from "../../master/messages.ts";
import { trapTable, type SignalTable } from "../../runtime/trap-table.ts";
import type { ParentLink, Runtime } from "../../runtime/types.ts";
import { STOP_WAIT_MS } from "../../store/connection.ts";
import type { Worker } from "../../worker/worker.ts";
import { leaveIfRedisHangs } from "./stop-wait.ts";

/** How long TERM waits for Redis to take the jobs back before the process just dies. */
const ABANDON_TIMEOUT_MS = STOP_WAIT_MS;
/** 128 + the signal's number: the exit code of a process the signal stopped. */
const EXIT_CODE = { TERM: 128 + 15, INT: 128 + 2 } as const;

const RUNTIME_DEFAULT = "the runtime's default action (the process ends, and the master recovers its jobs and starts another)";

/** Loading job modules and connecting: nothing is taken yet. */
export const STARTING_SIGNALS: SignalTable<"leave"> = {
  QUIT: { does: "leave", why: "nothing taken yet: exit 0, rather than die of the signal and look like a crash" },
  TERM: { does: "leave", why: "as QUIT" },
  INT: { does: "leave", why: "as QUIT" },
  USR1: { does: "untrapped", why: `not trapped until the worker runs: ${RUNTIME_DEFAULT}` },
  USR2: { does: "untrapped", why: `not trapped until the worker runs: ${RUNTIME_DEFAULT}` },
  CONT: { does: "untrapped", why: "not trapped until the worker runs: the default continues a stopped process" },
  HUP: { does: "untrapped", why: `the master keeps HUP for itself (pool reload); sent here, ${RUNTIME_DEFAULT}` },
};

/** What worker-process.ts binds each handler name to. */
export type WorkerProcessAction = "finish" | "handBack" | "die" | "pause" | "resume";

/** The worker runs: its jobs in flight decide what each stop costs. */
export const WORKER_PROCESS_SIGNALS: SignalTable<WorkerProcessAction> = {
  QUIT: { does: "finish", why: "finish the jobs in flight and exit; the master, told 'draining', starts the replacement at once" },
  TERM: {
    does: "handBack",
    why: "jobs cannot be stopped from inside: hand them back to their queues and exit 143; if Redis does not answer in time, die",
  },
  INT: { does: "handBack", why: "as TERM, exit 130" },
  USR1: {
    does: "die",
    why: "stock kills the job's child; a job's child here is this process: die, and the master recovers the jobs, counted",
  },
  USR2: { does: "pause", why: "take no more jobs, as the inline worker does (Worker.pause)" },
  CONT: { does: "resume", why: "take jobs again after USR2 (Worker.unpause)" },
  HUP: { does: "untrapped", why: `the master keeps HUP for itself (pool reload) and never relays it; sent here, ${RUNTIME_DEFAULT}` },
};

/** Trap STARTING_SIGNALS; returns the untrap, called once the worker runs. */
export function trapWhileStarting(runtime: Runtime): () => void {
  return trapTable(runtime, STARTING_SIGNALS, { leave: () => runtime.exit(0) });
}

/** Trap WORKER_PROCESS_SIGNALS for `worker`, which runs in this process under the master `parent`. */
export function trapWorkerProcessSignals(runtime: Runtime, worker: Worker, parent: ParentLink | undefined): void {
  const die = () => runtime.kill(runtime.pid, "KILL");
  trapTable(runtime, WORKER_PROCESS_SIGNALS, {
    finish: () => {
      parent?.send({ type: "draining" } satisfies WorkerMessage);
      worker.shutdown();
      leaveIfRedisHangs(runtime, () => worker.busy);
    },
    handBack: (signal) => {
      setTimeout(die, ABANDON_TIMEOUT_MS);
      worker.abandon(`SIG${signal}`).then(() => runtime.exit(signal === "TERM" ? EXIT_CODE.TERM : EXIT_CODE.INT), die);
    },
    die,
    pause: () => worker.pause(),
    resume: () => worker.unpause(),
  });
}
