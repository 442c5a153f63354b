/** Process titles in stock's format, so `ps` and stock's pruning (`resque-[0-9]`) recognise us. */
import { VERSION } from "./version.ts";

/** `<prefix>resque-<version>: <text>`. */
export const procline = (text: string, prefix = ""): string => `${prefix}resque-${VERSION}: ${text}`;

/** Stock sets this one directly, without the version. */
export const STARTING_TITLE = "resque: Starting";

export const waitingTitle = (queues: readonly string[], prefix = "") => procline(`Waiting for ${queues.join(",")}`, prefix);

export const pausedTitle = (prefix = "") => procline("Paused", prefix);

/** `Processing <q> since <epoch> [<Class>]`; several jobs in flight list each class once. */
export function processingTitle(queue: string, since: number, classes: readonly string[], prefix = ""): string {
  const names = [...new Set(classes)].join(",");
  return procline(`Processing ${queue} since ${since} [${names}]`, prefix);
}

/** Stock's `prune_dead_workers` counts a process as a live worker when its command matches this. */
export const LIVE_WORKER_COMMAND = /resque:work|resque: Starting|resque-[0-9]/;

/** The `ps` filter stock applies, applied to one command line. */
export const isResqueWorkerCommand = (command: string): boolean => LIVE_WORKER_COMMAND.test(command) && !command.includes("resque-web");

/** The master's title: what it supervises. A scheduler it runs (`work --scheduler`) takes no jobs, so it is named apart, not counted as a worker. */
export const masterTitle = (
  pids: readonly number[],
  lastStart: number,
  queues: readonly string[],
  prefix = "",
  separator = ",",
  schedulerPids: readonly number[] = [],
) =>
  procline(
    `Master of ${pids.length} worker${pids.length === 1 ? "" : "s"} (${pids.join(",")})${schedulerPids.length > 0 ? ` and a scheduler (${schedulerPids.join(",")})` : ""} for ${queues.join(separator)}, last started at ${lastStart}`,
    prefix,
  );

/** resque-scheduler's title, `resque-scheduler-<version>[<app>]: <state>`; it must not match stock's worker pattern. */
export const schedulerTitle = (state: string, app?: string): string => `resque-scheduler-${VERSION}${app ? `[${app}]` : ""}: ${state}`;
