/**
 * The compiled resque-worker's entry (scripts/build.mjs): job modules that import this package
 * by name get the binary's own copy, then the CLI runs. The CLI is imported only after the
 * module is provided, because it loads job modules as it starts.
 */
import * as library from "./index.ts";
import { PACKAGE_NAME } from "./protocol/version.ts";
import { provideModule } from "./runtime/bun.ts";

provideModule(PACKAGE_NAME, { ...library });
await import("./cli/main.ts");
