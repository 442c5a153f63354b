/** Where a long-running part (worker, master, scheduler) reports what it does; the CLI prints it, an app may pass its own. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** The scheduler's logger: it writes no debug lines, so an app's three-level logger fits. */
export type SchedulerLogger = Pick<Logger, "info" | "warn" | "error">;
