/**
 * Said once when `work` starts: the job classes its worker processes can run. A worker with none
 * (no --require) takes every job and fails it as NameError, which nothing else would say until
 * the failed list fills up.
 */
import { say } from "../kit/console.ts";

const SHOWN = 20;

export function announceJobs(names: readonly string[], modules: readonly string[]): void {
  if (names.length === 0) {
    say.warn(
      "No job module loaded (--require FILE or RESQUE_REQUIRE), so this worker knows no job classes: every job it takes will fail as NameError. Start it with --require ./jobs.ts.",
    );
    return;
  }
  const list = names.length > SHOWN ? `${names.slice(0, SHOWN).join(", ")} and ${names.length - SHOWN} more` : names.join(", ");
  const classes = names.length === 1 ? "1 job class" : `${names.length} job classes`;
  say.info(`Runs ${classes} from ${modules.join(", ")}: ${list}. A job of any other class fails as NameError.`);
}
