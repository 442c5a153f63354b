/** Pick the adapter once, Deno then Bun then Node (the first two also look like Node). */
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import { nodeRuntime } from "./node.ts";
import type { Runtime, RuntimeName } from "./types.ts";

export function detectRuntimeName(): RuntimeName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  return "node";
}

let current: Runtime | undefined;

export function currentRuntime(): Runtime {
  current ??= { deno: denoRuntime, bun: bunRuntime, node: nodeRuntime }[detectRuntimeName()]();
  return current;
}
