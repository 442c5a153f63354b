// `bun build --compile` of the CLI, shared by build.mjs (dist/resque-worker, for the tests) and
// release.mjs (dist/resque-worker-<os>-<arch>, for downloads).
// Spawn to first job, median of 9 here: plain 148 ms, --bytecode 110 ms, --bytecode --minify 102 ms,
// so both are on; --bytecode needs --format=esm for top-level await.
// The autoload flags stop the binary reading .env / bunfig.toml from the user's directory, and
// let a user's job module import packages from its own node_modules.
// The entry is src/binary.ts: it gives job modules the binary's own copy of this package.
// tsx stays out: only the Node adapter imports it (for .ts job modules), and the binary is Bun.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

/** Compile to `outfile` (relative to the checkout); `target` is Bun's, e.g. bun-linux-arm64 (default: this machine). */
export function compileBinary(outfile, target) {
  mkdirSync(dirname(`${root}${outfile}`), { recursive: true });
  const args = [
    "build",
    "--compile",
    "--bytecode",
    "--minify",
    "--format=esm",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "--compile-autoload-package-json",
    "--external=tsx",
    ...(target ? [`--target=${target}`] : []),
    "src/binary.ts",
    "--outfile",
    outfile,
  ];
  execFileSync(`${root}node_modules/.bin/bun`, args, { cwd: root, stdio: "inherit" });
}
