/** Deno: process.title reaches `ps` like Node's (cut to the original argv length). */
import process from "node:process";
import { commonRuntime } from "./common.ts";
import type { Runtime } from "./types.ts";

export const denoRuntime = (): Runtime =>
  commonRuntime("deno", (title) => {
    process.title = title;
  });
