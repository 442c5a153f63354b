/** Dashboards served on free loopback ports for one test file, all closed when the file ends. */
import { after } from "node:test";
import type { Resque } from "../../src/client/resque.ts";
import { detectRuntimeName } from "../../src/runtime/detect.ts";
import { httpFor, type HttpServer } from "../../src/runtime/http.ts";
import { createWebApp, type WebApp } from "../../src/web/app.ts";

export type WebOptions = Omit<Parameters<typeof createWebApp>[0], "resque">;

/** Call once at a file's top level; the function it returns serves one dashboard (200 ms samples unless told). */
export function useWebServers(): (resque: Resque, options?: WebOptions) => Promise<{ base: string; web: WebApp }> {
  const started: { web: WebApp; server: HttpServer }[] = [];
  after(async () => {
    for (const { web, server } of started) {
      web.close();
      await server.close();
    }
  });
  return async (resque, options = {}) => {
    const web = createWebApp({ resque, sampleIntervalMs: 200, ...options });
    const server = await (await httpFor(detectRuntimeName()))({ fetch: web.fetch, hostname: "127.0.0.1", port: 0 });
    started.push({ web, server });
    return { base: `http://127.0.0.1:${server.port}${web.ctx.base}`, web };
  };
}
