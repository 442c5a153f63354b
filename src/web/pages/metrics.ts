/** Metrics: live and history graphs of processed and failed per second and queue depth; the per-class table comes with the data layer. */
import { Hono } from "hono";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { comingSoon } from "./common.ts";

export const RANGES: [seconds: number, label: string][] = [[300, "5 minutes"], [900, "15 minutes"], [3600, "1 hour"]];

export function metricsPages(ctx: WebContext): Hono {
  const app = new Hono();
  // /metrics is the Prometheus exposition scrapers expect; the page is /graphs.
  app.get("/graphs", async (c) => {
    const range = Number(c.req.query("range")) || 900;
    const body = html`<h1>Metrics</h1>
<p class="subnav">Range: ${RANGES.map(([s, l]) => html`<a href="${url(ctx, `/graphs?range=${s}`)}"${s === range ? html` class="current"` : ""}>${l}</a> `)}
· <a href="${url(ctx, "/metrics")}">Prometheus text</a></p>
<p class="note">History is sampled by this dashboard process every ${ctx.history.resolutionSeconds}s while it runs (kept in memory); the graphs then follow live.</p>
<section><h2>Processed and failed per second</h2><div class="graph" id="rate-graph" data-graph="rates" data-history="${url(ctx, `/api/history?range=${range}`)}"></div></section>
<section><h2>Queue depth</h2><div class="graph" id="depth-graph" data-graph="depth" data-history="${url(ctx, `/api/history?range=${range}`)}"></div></section>
${comingSoon("Per job class", "Runs, failures and run time per job class arrive with the per-class metrics of the data layer (issue 14); nothing is recorded per class yet.")}`;
    return c.html(layout(ctx, { title: "Metrics", tab: "/graphs", body, graphs: true }));
  });
  app.get("/processes", (c) => {
    const body = html`<h1>Processes</h1>
${comingSoon("Process tree", "The masters, their worker processes and the jobs in each arrive with the process tree of the data layer (issue 14). Until then the Workers tab lists every registered worker process.")}`;
    return c.html(layout(ctx, { title: "Processes", tab: "/processes", body }));
  });
  return app;
}
