/** Workers: every registered worker (Ruby or ours) and one worker whole: host, pid, queues, state, job, heartbeat, started. */
import { Hono } from "hono";
import { workersView, type WorkerView } from "../../client/views.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { ago, duration, jobArgs, jobClass, parseTime } from "./common.ts";

const jobText = (w: WorkerView) => (w.job ? html`<code>${jobClass(w.job.payload)}</code> on ${w.job.queue}` : html`<span class="idle">waiting for ${w.queues.join(", ")}</span>`);

export function workerPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/workers", async (c) => {
    const workers = await workersView(ctx.resque);
    const body = html`<h1>Workers <small>${workers.length} (${workers.filter((w) => w.job).length} working)</small></h1>
${workers.length === 0 ? html`<p class="empty">No workers registered.</p>` : html`<table class="workers">
<thead><tr><th>State</th><th>Worker</th><th>Queues</th><th>Job</th><th>Started</th><th>Heartbeat</th><th class="num">Processed</th><th class="num">Failed</th></tr></thead><tbody>
${workers.map((w) => html`<tr><td><span class="state ${w.state}">${w.state}</span></td>
<td><a href="${url(ctx, `/workers/${encodeURIComponent(w.id)}`)}">${w.host}:${w.pid}</a></td><td>${w.queues.join(", ")}</td>
<td>${jobText(w)}</td><td>${ago(w.started)}</td><td>${w.heartbeat ? ago(w.heartbeat) : "none"}</td>
<td class="num">${w.processed}</td><td class="num">${w.failed}</td></tr>`)}
</tbody></table>`}`;
    return c.html(layout(ctx, { title: "Workers", tab: "/workers", body }));
  });
  app.get("/workers/:id", async (c) => {
    const id = c.req.param("id");
    const w = (await workersView(ctx.resque)).find((x) => x.id === id);
    if (!w) return c.html(layout(ctx, { title: "Worker", tab: "/workers", body: html`<h1>Worker</h1><p class="empty">No worker <code>${id}</code> is registered (it may have stopped).</p>` }), 404);
    const runFor = w.job ? parseTime(w.job.runAt) : undefined;
    const rows: [string, unknown][] = [
      ["Id", w.id], ["Host", w.host], ["Pid", w.pid], ["Queues", w.queues.join(", ")], ["State", w.state],
      ["Started", `${w.started ?? ""} (${ago(w.started)})`], ["Heartbeat", w.heartbeat ? `${w.heartbeat} (${ago(w.heartbeat)})` : "none"],
      ["Processed", w.processed], ["Failed", w.failed],
    ];
    const body = html`<h1>Worker <code>${w.host}:${w.pid}</code></h1>
<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</tbody></table>
<section><h2>Current job</h2>${w.job ? html`<table class="kv"><tbody>
<tr><th>Queue</th><td>${w.job.queue}</td></tr><tr><th>Class</th><td><code>${jobClass(w.job.payload)}</code></td></tr>
<tr><th>Args</th><td><code class="args">${jobArgs(w.job.payload)}</code></td></tr>
<tr><th>Run at</th><td>${w.job.runAt}</td></tr><tr><th>Running for</th><td>${runFor ? duration(Date.now() - runFor.getTime()) : ""}</td></tr>
</tbody></table>` : html`<p class="empty">Idle.</p>`}</section>`;
    return c.html(layout(ctx, { title: `Worker ${w.host}:${w.pid}`, tab: "/workers", body }));
  });
  return app;
}
