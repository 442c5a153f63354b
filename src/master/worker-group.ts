/** What the master supervises: groups of alike child processes (worker processes, or the one scheduler process). */
import type { Db } from "../store/connection.ts";

/** One kind of worker process: its queues, how many, and how to start one. */
export interface WorkerGroup {
  queues: string;
  count: number;
  /** Arguments and environment that start one worker process of this group. */
  childArgs: readonly string[];
  childEnv: Record<string, string>;
  /**
   * "scheduler": a `resque scheduler` process (`resque work --scheduler`). It takes no jobs, so
   * its exit settles none, and only the stop signals reach it (USR1/USR2/CONT are about jobs).
   */
  role?: "scheduler";
  /**
   * The namespace its processes work, when not the master's own (shard mode, `--shards N`): the
   * master settles an exited process's jobs there.
   */
  db?: Db;
}

export const isScheduler = (group: WorkerGroup): boolean => group.role === "scheduler";
