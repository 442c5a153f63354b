/** The CLI's console. Its level is fixed: consola's default goes quiet when NODE_ENV=test, and a CLI's output must not depend on that. */
import { createConsola } from "consola";
import process from "node:process";

export const say = createConsola({ level: 3 });

/** For news about the command rather than its output (a reconnect during --watch): stderr, so stdout stays parseable. */
export const aside = createConsola({ level: 3, stdout: process.stderr });
