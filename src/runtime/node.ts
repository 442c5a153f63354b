/** Node: process.title reaches `ps` (cut to the original argv length); job modules load as ES modules whatever package.json says. */
import process from "node:process";
import { commonRuntime } from "./common.ts";
import { importJobModule } from "./node-esm.ts";
import type { Runtime } from "./types.ts";

export const nodeRuntime = (): Runtime => {
  const common = commonRuntime("node", (title) => {
    process.title = title;
  });
  return {
    ...common,
    rss: () => process.memoryUsage.rss(),
    importModule: async (path) => {
      // tsx first: the ES-module marking hook registered after it runs before it, as it must.
      if (TYPESCRIPT.test(path)) await ensureTypeScriptLoader(path);
      return importJobModule(path);
    },
  };
};

const TYPESCRIPT = /\.[cm]?tsx?$/;
let loader: Promise<void> | undefined;

/**
 * Node before 22.18 cannot import a .ts job module by itself. The installed package is plain
 * JavaScript, so no loader is running: register tsx's when the app has it (an optional peer
 * dependency, since Node >= 22.18, Bun and Deno need none), and say what to do when it has not.
 */
function ensureTypeScriptLoader(path: string): Promise<void> {
  const features = process.features as { typescript?: unknown };
  // This file still being TypeScript means a loader already runs it (the tests, `node --import tsx`).
  if (features.typescript || import.meta.url.endsWith(".ts")) return Promise.resolve();
  loader ??= import("tsx/esm/api").then(
    (tsx) => {
      tsx.register();
    },
    (error: unknown) => {
      loader = undefined;
      throw new Error(
        `Node ${process.version} cannot import the TypeScript module ${path} by itself: install tsx beside your app ` +
          "(npm install --save-dev tsx) and it is used automatically, or use Node >= 22.18, Bun or Deno, or a .js job module.",
        { cause: error },
      );
    },
  );
  return loader;
}
