#!/usr/bin/env node
// Builds the npm package's code into dist/lib: ESM JavaScript and one bundled index.d.ts, so
// users need neither tsx nor type stripping. tsdown resolves the source's `.ts` imports itself.
// The dependencies (citty, consola, ioredis, yaml) stay imports; npm installs them.
// dist/lib, not dist: the binaries live in dist/ and must stay out of the npm tarball.
const root = new URL("..", import.meta.url).pathname;

// `npm pack` runs this as prepack. In a fresh clone the build tools are not installed yet, and
// Node's own "Cannot find package 'tsdown'" says nothing about what to do: say it.
let build;
try {
  ({ build } = await import("tsdown"));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("'tsdown'")) throw error;
  console.error(
    "scripts/build-lib.mjs: the build tool tsdown is not installed in this checkout.\n" +
      `Run \`npm ci\` in ${root} first (it installs the devDependencies from package-lock.json), then \`npm pack\` (or \`npm run build:lib\`) again.`,
  );
  process.exit(1);
}
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
