/** Working: the workers running a job now, oldest first, with how long each job has run (resque-web's Working tab). */
import { Hono } from "hono";
import type { WorkerStatus } from "../../client/status.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { comingSoon, duration, jobArgs, jobClass, parseTime } from "./common.ts";

export function workingTable(ctx: WebContext, working: WorkerStatus[], now = Date.now()): Html {
  if (working.length === 0) return html`<p class="empty">Nothing is running.</p>`;
  return html`<table class="working"><thead><tr><th>Worker</th><th>Queue</th><th>Class</th><th>Args</th><th>Started</th><th class="num">Running for</th></tr></thead><tbody>
${working.map((w) => {
  const started = parseTime(w.current!.runAt);
  return html`<tr><td><a href="${url(ctx, `/workers/${encodeURIComponent(w.id)}`)}">${w.host}:${w.pid}</a></td>
<td><a href="${url(ctx, `/queues/${encodeURIComponent(w.current!.queue)}`)}">${w.current!.queue}</a></td>
<td><code>${jobClass(w.current!.payload)}</code></td><td><code class="args">${jobArgs(w.current!.payload)}</code></td>
<td>${w.current!.runAt}</td><td class="num">${started ? duration(now - started.getTime()) : ""}</td></tr>`;
})}
</tbody></table>`;
}

export function workingPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/working", async (c) => {
    const [working, all] = await Promise.all([ctx.resque.working(), ctx.resque.workers()]);
    const body = html`<h1>Working <small>${working.length} of ${all.length} workers</small></h1>
${workingTable(ctx, working)}
${comingSoon("Kill a running job", "A Kill button per job arrives with the kill list (issue 14, data layer); until then, kill -USR1 PID kills the jobs a worker process is running.")}`;
    return c.html(layout(ctx, { title: "Working", tab: "/working", body }));
  });
  return app;
}
