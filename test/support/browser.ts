/** Where the dashboard's browser tests find Chromium, and why a run skips them. */
import { existsSync } from "node:fs";
import { detectRuntimeName } from "../../src/runtime/detect.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** The reason a browser test file skips here, or false; printed once, since Bun and Deno do not print a suite's skip reason. */
export function browserSkip(file: string): string | false {
  const runtime = detectRuntimeName();
  const skip =
    runtime !== "node"
      ? `the browser test runs under Node only (puppeteer drives Chromium over a WebSocket; this is ${runtime})`
      : !existsSync(CHROMIUM)
        ? `needs ${CHROMIUM}: run \`node scripts/setup.mjs chromium\``
        : false;
  if (skip) console.log(`# ${file} skipped: ${skip}`);
  return skip;
}
