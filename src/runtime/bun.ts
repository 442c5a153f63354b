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

/**
 * Answer `import ... from name` in every module loaded after this with `exports`, before any
 * node_modules lookup. The compiled binary gives job modules its own copy of this package this
 * way, so a jobs.ts beside the binary can import it with no node_modules at all.
 */
export function provideModule(name: string, exports: Record<string, unknown>): void {
  Bun.plugin({
    name: `provide ${name}`,
    setup(build) {
      build.module(name, () => ({ exports, loader: "object" }));
    },
  });
}
