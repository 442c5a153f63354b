/** Overview: the counters, the live graph, every queue with its size, and the workers working now (resque-web's front page). */
import { Hono } from "hono";
import { queuesView } from "../../client/views.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { killNotice } from "./kill.ts";
import { oldestCell, oldestHeader } from "./latency.ts";
import { workingTable } from "./working.ts";

export function summary(info: {
  processed: number;
  failed: number;
  pending: number;
  workers: number;
  working: number;
  queues: number;
}): Html {
  const box = (key: keyof typeof info, label: string) =>
    html`<div class="stat"><span class="value" data-live="${key}">${info[key]}</span><span class="label">${label}</span></div>`;
  return html`<div class="stats">${box("processed", "processed")}${box("failed", "failed")}${box("pending", "pending")}${box("workers", "workers")}${box("working", "working")}${box("queues", "queues")}</div>`;
}

export function overviewPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/", (c) => c.redirect(url(ctx, "/overview")));
  app.get("/overview", async (c) => {
    const [info, queues, failed, workers] = await Promise.all([
      ctx.resque.info(),
      queuesView(ctx.resque),
      ctx.resque.failed.count(),
      ctx.resque.workers(),
    ]);
    const working = workers.filter((w) => w.current || w.running.length > 0);
    const body = html`<h1>Overview</h1>
${summary(info)}
<section><h2>Processed and failed per second <small>(live)</small></h2>
<div class="graph" id="live-graph" data-graph="live" data-history="${url(ctx, "/api/history?range=300")}"></div></section>
<section><h2>Queues</h2>
<table class="queues"><thead><tr><th>Queue</th><th class="num">Jobs</th>${oldestHeader}</tr></thead><tbody>
${queues.map((q) => html`<tr><td><a href="${url(ctx, `/queues/${encodeURIComponent(q.name)}`)}">${q.name}</a></td><td class="num" data-live-queue="${q.name}">${q.size}</td>${oldestCell(q)}</tr>`)}
<tr class="failed-row"><td><a href="${url(ctx, "/failed")}">failed</a></td><td class="num">${failed}</td><td></td></tr>
</tbody></table>${queues.length === 0 ? html`<p class="empty">No queues yet.</p>` : ""}</section>
<section><h2>Working <small>${working.length} of ${info.workers} workers</small></h2>${killNotice(c.req.query("kill"))}${workingTable(ctx, working, "/overview")}</section>`;
    return c.html(layout(ctx, { title: "Overview", tab: "/overview", body, graphs: true }));
  });
  return app;
}
