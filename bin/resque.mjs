#!/usr/bin/env node
// `npx resque ...` (Node) and `bunx --bun resque ...` (Bun; plain `bunx` follows this line's
// `node`): the CLI as built into dist/lib, so no TypeScript loader is needed to start it.
try {
  await import("../dist/lib/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/lib/cli.js")) throw error;
  console.error(
    "resque: dist/lib is not built. In a checkout of this repository run `npm run build:lib`, or `npm run resque -- ...` to run the source.",
  );
  process.exit(1);
}
