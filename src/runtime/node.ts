/** Node: process.title reaches `ps` (cut to the original argv length); job modules load as ES modules whatever package.json says. */
import process from "node:process";
import { commonRuntime } from "./common.ts";
import { importJobModule } from "./node-esm.ts";
import type { Runtime } from "./types.ts";

export const nodeRuntime = (): Runtime => ({
  ...commonRuntime("node", (title) => {
    process.title = title;
  }),
  importModule: importJobModule,
});
