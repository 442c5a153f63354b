/** Working: every job in flight (all of a THREAD_COUNT > 1 process's jobs), oldest first, with how long each has run and a Kill button. */
import { Hono } from "hono";
import type { WorkerStatus } from "../../client/status.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { duration, jobArgs, jobClass, parseTime } from "./common.ts";
import { jobsInFlight, killButton, killNotice, noKill } from "./kill.ts";

/** `back`: the page a Kill returns to. */
export function workingTable(ctx: WebContext, workers: WorkerStatus[], back = "/working", now = Date.now()): Html {
  const rows = jobsInFlight(workers);
  if (rows.length === 0) return html`<p class="empty">Nothing is running.</p>`;
  return html`<table class="working"><thead><tr><th>Worker</th><th>Queue</th><th>Class</th><th>Args</th><th>Started</th><th class="num">Running for</th>${ctx.readOnly ? "" : html`<th></th>`}</tr></thead><tbody>
${rows.map(({ worker: w, job, queue, runAt, payload }) => {
  const started = parseTime(runAt);
  return html`<tr><td><a href="${url(ctx, `/workers/${encodeURIComponent(w.id)}`)}">${w.host}:${w.pid}</a></td>
<td><a href="${url(ctx, `/queues/${encodeURIComponent(queue)}`)}">${queue}</a></td>
<td><code>${jobClass(payload)}</code></td><td><code class="args">${jobArgs(payload)}</code></td>
<td>${runAt}</td><td class="num">${started ? duration(now - started.getTime()) : ""}</td>
${ctx.readOnly ? "" : html`<td class="actions">${job ? killButton(ctx, w, job, back) : noKill(w)}</td>`}</tr>`;
})}
</tbody></table>`;
}

export function workingPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/working", async (c) => {
    const all = await ctx.resque.workers();
    const busy = all.filter((w) => w.current || w.running.length > 0);
    const jobs = jobsInFlight(busy).length;
    const body = html`<h1>Working <small>${jobs} job${jobs === 1 ? "" : "s"} in ${busy.length} of ${all.length} workers</small></h1>
${killNotice(c.req.query("kill"))}
${workingTable(ctx, busy)}`;
    return c.html(layout(ctx, { title: "Working", tab: "/working", body }));
  });
  return app;
}
