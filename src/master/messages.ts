/** The IPC protocol from a worker (or scheduler) process to its master: the messages a child sends. */
import type { DeadlineReport } from "../worker/running-job.ts";

/** Messages a worker process sends its master. */
export type WorkerMessage =
  | { type: "draining" }
  | { type: "registered" }
  | { type: "tick"; deadlines: DeadlineReport[] }
  /** Jobs killed from the dashboard (entry tokens and when each started): kill this process, charging only them. */
  | { type: "kill"; tokens: string[]; startedMs: number[] };
