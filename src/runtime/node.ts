/** Node: process.title reaches `ps` (cut to the original argv length). */
import process from "node:process";
import { commonRuntime } from "./common.ts";
import type { Runtime } from "./types.ts";

export const nodeRuntime = (): Runtime =>
  commonRuntime("node", (title) => {
    process.title = title;
  });
