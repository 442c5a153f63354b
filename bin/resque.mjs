#!/usr/bin/env node
// `npx resque ...` / `bunx resque ...`: Bun and Deno run the TypeScript source as it is;
// Node 20 needs tsx's loader registered first.
if (typeof globalThis.Bun === "undefined" && typeof globalThis.Deno === "undefined") {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("../src/cli/main.ts");
