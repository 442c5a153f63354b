/** The dashboard as one Hono app: security first, then one sub-app per route group, all under the mount point. */
import { Hono } from "hono";
import type { Resque } from "../client/resque.ts";
import { VERSION } from "../protocol/version.ts";
import { apiRoutes } from "./api.ts";
import { assetRoutes } from "./assets.ts";
import type { WebContext } from "./context.ts";
import { flashes } from "./flash.ts";
import { httpStatusFor } from "./error-status.ts";
import { escapeHtml } from "./html.ts";
import { delayedPages } from "./pages/delayed.ts";
import { failedPages } from "./pages/failed.ts";
import { metricsPages } from "./pages/metrics.ts";
import { killRoutes } from "./pages/kill.ts";
import { overviewPages } from "./pages/overview.ts";
import { processPages } from "./pages/processes.ts";
import { queuePages } from "./pages/queues.ts";
import { schedulePages } from "./pages/schedules.ts";
import { statsPages } from "./pages/stats.ts";
import { workerPages } from "./pages/workers.ts";
import { workingPages } from "./pages/working.ts";
import { prometheusRegistry } from "./prometheus.ts";
import { RecentDepth } from "./recent-depth.ts";
import { RedisSampler, type HistorySource, type LiveSource } from "./sampler.ts";
import { authGate, csrfGate, hostGate, newCsrfToken, securityHeaders, type AuthOptions } from "./security.ts";
import { Streams, streamRoutes } from "./stream.ts";

export interface WebOptions {
  resque: Resque;
  /** Mounted behind a proxy at this path ("/resque"); "" or "/" for the root. */
  basePath?: string;
  readOnly?: boolean;
  auth?: AuthOptions;
  /**
   * Host names served besides the loopback ones when no auth is configured (DNS rebinding
   * defence; see security.ts hostGate). "any" serves every Host (the app sits behind something
   * that checks it). Ignored with auth on: then every Host is served.
   */
  allowedHosts?: readonly string[] | "any";
  /** Where graphs get history and live samples; default: a RedisSampler started here. */
  history?: HistorySource & LiveSource;
  /** The sampler's interval (default 1000 ms). */
  sampleIntervalMs?: number;
  lockPrefix?: string;
}

export interface WebApp {
  app: Hono;
  fetch: (request: Request) => Response | Promise<Response>;
  ctx: WebContext;
  /** Stop sampling and end open event streams (so the server can close). */
  close(): void;
}

/** "/resque/" -> "/resque", "/" -> "". */
export function normalizeBasePath(path: string | undefined): string {
  const trimmed = (path ?? "").trim().replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

export function createWebApp(options: WebOptions): WebApp {
  const base = normalizeBasePath(options.basePath);
  // Read-only reads only: no first-seen times for latency, no history points from the sampler.
  const resque = options.readOnly ? options.resque.readOnlyView() : options.resque;
  let sampler: RedisSampler | undefined;
  let history = options.history;
  if (!history) {
    sampler = new RedisSampler(resque, options.sampleIntervalMs ?? 1000, { record: !options.readOnly });
    sampler.start();
    history = sampler;
  }
  const ctx: WebContext = {
    resque,
    base,
    csrf: newCsrfToken(),
    readOnly: Boolean(options.readOnly),
    history,
    live: history,
    version: VERSION,
    ...(options.lockPrefix !== undefined && { lockPrefix: options.lockPrefix }),
  };
  ctx.recentDepth = new RecentDepth(history);
  const streams = new Streams();
  const registry = prometheusRegistry(resque);

  // strict: false, so "/resque/" is "/resque" (a proxy may add or drop the slash).
  const app = base ? new Hono({ strict: false }).basePath(base) : new Hono({ strict: false });
  app.use("*", securityHeaders());
  const authOn = Boolean(options.auth?.basic || options.auth?.token);
  app.use("*", hostGate(authOn ? "any" : (options.allowedHosts ?? [])));
  app.use("*", authGate(options.auth ?? {}, base || "/"));
  app.use("*", csrfGate(ctx.csrf, ctx.readOnly));
  app.use("*", flashes(base || "/"));
  app.route("/assets", assetRoutes());
  app.route("/api", apiRoutes(ctx));
  app.route("/", streamRoutes(ctx, streams));
  app.get("/metrics", async (c) => c.body(await registry.metrics(), 200, { "content-type": registry.contentType }));
  for (const pages of [
    overviewPages,
    workingPages,
    failedPages,
    queuePages,
    workerPages,
    statsPages,
    delayedPages,
    schedulePages,
    metricsPages,
    processPages,
    killRoutes,
  ]) {
    app.route("/", pages(ctx));
  }
  app.notFound((c) => c.text("Not found.", 404));
  app.onError((error, c) => {
    // The client's refusals of a request (no such index, nothing to retry) are 4xx; anything else is ours.
    const status = httpStatusFor(error);
    if (c.req.path.startsWith(`${base}/api/`)) return c.json({ error: error.message }, status);
    return c.html(
      `<!doctype html><title>Error</title><p>${escapeHtml(error.message)}</p><p><a href="${escapeHtml(base || "/")}">Back</a></p>`,
      status,
    );
  });
  return {
    app,
    fetch: (request) => app.fetch(request),
    ctx,
    close() {
      sampler?.stop();
      ctx.recentDepth?.close();
      streams.closeAll();
    },
  };
}
