/** The CLI's console. Its level is fixed: consola's default goes quiet when NODE_ENV=test, and a CLI's output must not depend on that. */
import { createConsola } from "consola";
import process from "node:process";

export const say = createConsola({ level: 3 });

/** For news about the command rather than its output (a reconnect during --watch): stderr, so stdout stays parseable. */
export const aside = createConsola({ level: 3, stdout: process.stderr });

/**
 * The log of a long-running process (worker, master, scheduler): one line per message
 * (`[warn] ...`), with none of the blank lines consola's fancy output puts around each warning,
 * so a log file or journal reads, counts and greps line by line.
 */
export const journal = createConsola({ level: 3, fancy: false });
