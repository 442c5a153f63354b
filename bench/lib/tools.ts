// Paths the benchmarks share: the checkout, the real Bun and Deno executables behind npm's
// wrappers (so a child's pid is the runtime's own), and the compiled binary, built if missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const root = new URL("../..", import.meta.url).pathname;

const wrapper = (name: string) => `${root}node_modules/.bin/${name}`;

export const realPath = (name: "deno" | "bun") =>
  spawnSync(wrapper(name), name === "deno" ? ["eval", "console.log(Deno.execPath())"] : ["-e", "console.log(process.execPath)"], {
    encoding: "utf8",
  }).stdout.trim();

export function ensureBinary(): string {
  const path = `${root}dist/resque-worker`;
  if (!existsSync(path)) spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "inherit" });
  return path;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
