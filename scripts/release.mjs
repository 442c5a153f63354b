#!/usr/bin/env node
// Release binaries: dist/resque-worker-<os>-<arch> and dist/SHA256SUMS.
//   node scripts/release.mjs                               this machine (npm run release)
//   node scripts/release.mjs bun-linux-arm64 bun-darwin-x64 named Bun targets, cross-compiled
// A binary built for this machine is run once (`--version`) before its sum is written, so a
// release never ships one that does not start. .github/workflows/release.yml runs this on
// each target's own runner and gathers the sums.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { compileBinary } from "./lib/compile.mjs";

const root = new URL("..", import.meta.url).pathname;
const TARGETS = ["bun-linux-x64", "bun-linux-arm64", "bun-darwin-x64", "bun-darwin-arm64"];
const host = `bun-${process.platform}-${process.arch}`;

const targets = process.argv.slice(2);
if (targets.length === 0) targets.push(host);
for (const target of targets) {
  if (!TARGETS.includes(target)) {
    console.error(`release: ${target} is not a target we ship; choose from ${TARGETS.join(", ")}`);
    process.exit(1);
  }
}

const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
for (const target of targets) {
  const file = `resque-worker-${target.slice("bun-".length)}`;
  compileBinary(`dist/${file}`, target);
  if (target === host) {
    const said = execFileSync(`${root}dist/${file}`, ["--version"], { encoding: "utf8" }).trim();
    if (!said.includes(version)) throw new Error(`dist/${file} --version said "${said}"; package.json says ${version}`);
  }
}

// The sums cover every release binary in dist/, in `sha256sum -c` format.
const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const binaries = readdirSync(`${root}dist`)
  .filter((name) => /^resque-worker-[a-z]+-[a-z0-9]+$/.test(name))
  .sort();
writeFileSync(`${root}dist/SHA256SUMS`, binaries.map((name) => `${sha256(`${root}dist/${name}`)}  ${name}\n`).join(""));
console.log(`release: dist/SHA256SUMS covers ${binaries.join(", ")}`);
