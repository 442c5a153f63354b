/** Picks the runtime's HTTP server; the contract lives in http-types.ts, which the implementations import (not this file). */
import type { ServeHttp } from "./http-types.ts";
import type { RuntimeName } from "./types.ts";

export type { HttpServer, ServeHttp } from "./http-types.ts";

/** The implementation for `name`, loaded only when asked for (each one names its runtime's API). */
export async function httpFor(name: RuntimeName): Promise<ServeHttp> {
  if (name === "bun") return (await import("./http-bun.ts")).serveHttp;
  if (name === "deno") return (await import("./http-deno.ts")).serveHttp;
  return (await import("./http-node.ts")).serveHttp;
}
