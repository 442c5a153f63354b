#!/usr/bin/env node
// Builds the npm package's code into dist/lib: ESM JavaScript and one bundled index.d.ts, so
// users need neither tsx nor type stripping. tsdown resolves the source's `.ts` imports itself.
// The dependencies (citty, consola, ioredis, yaml) stay imports; npm installs them.
// dist/lib, not dist: the binaries live in dist/ and must stay out of the npm tarball.
import { build } from "tsdown";

const root = new URL("..", import.meta.url).pathname;
await build({
  config: false,
  cwd: root,
  entry: { index: "src/index.ts", cli: "src/cli/main.ts" },
  outDir: "dist/lib",
  format: "esm",
  platform: "node",
  // The oldest runtime we test; Bun and Deno run the same output.
  target: "node20",
  dts: true,
  fixedExtension: false,
  hash: false,
  sourcemap: false,
  tsconfig: "tsconfig.json",
  // The code both entries share: a stable name, so the package's file list does not change per build.
  outputOptions: { chunkFileNames: "core.js" },
  logLevel: "warn",
  // rolldown-plugin-dts runs tsc, which takes most of the 2 s; being told so on every build helps no one.
  checks: { pluginTimings: false },
});
