/** Bun: process.title does not reach `ps`, in scripts or compiled binaries, so rewrite argv and comm. */
import process from "node:process";
import { commonRuntime, writeArgvArea, writeComm } from "./common.ts";
import type { Runtime } from "./types.ts";

export const bunRuntime = (): Runtime =>
  commonRuntime("bun", (title) => {
    process.title = title;
    writeArgvArea(title);
    writeComm(title);
  });
