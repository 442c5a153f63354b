/** Workers: every registered worker (Ruby or ours) and one worker whole: host, pid, queues, state, job, heartbeat, started. */
import { Hono } from "hono";
import type { WorkerStatus } from "../../client/status.ts";
import { workerView, workersView, type WorkerView } from "../../client/views.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { ago, duration, jobArgs, jobClass, parseTime } from "./common.ts";
import { jobsInFlight, killButton, killNotice, noKill } from "./kill.ts";
import { beatState, HEARTBEAT_HELP, heartbeatCell, heartbeatHeader } from "./heartbeat.ts";
import { liveWorkerIds } from "../../client/process-tree.ts";

/** Each job in flight with its Kill button (or why there is none); stock's one job otherwise. */
function jobText(ctx: WebContext, v: WorkerView, w: WorkerStatus | undefined, back: string): Html {
  const jobs = w ? jobsInFlight([w]) : [];
  if (jobs.length === 0)
    return v.job
      ? html`<code>${jobClass(v.job.payload)}</code> on ${v.job.queue}`
      : html`<span class="idle">waiting for ${v.queues.join(", ")}</span>`;
  return html`${jobs.map(({ job, queue, payload }) => html`<div class="inflight"><code>${jobClass(payload)}</code> on ${queue}${ctx.readOnly ? "" : html` ${job ? killButton(ctx, w!, job, back) : noKill(w!)}`}</div>`)}`;
}

export function workerPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/workers", async (c) => {
    const [workers, statuses] = await Promise.all([workersView(ctx.resque), ctx.resque.workers()]);
    const byId = new Map(statuses.map((s) => [s.id, s]));
    // Our worker processes' 5-second records: present means alive, whatever the once-a-minute heartbeat's age.
    const live = await liveWorkerIds(
      ctx.resque.db,
      workers.map((w) => w.id),
    ).catch(() => new Set<string>());
    const body = html`<h1>Workers <small>${workers.length} (${workers.filter((w) => w.job).length} working)</small></h1>
${killNotice(c.req.query("kill"))}
${
  workers.length === 0
    ? html`<p class="empty">No workers registered.</p>`
    : html`<table class="workers">
<thead><tr><th>State</th><th>Worker</th><th>Queues</th><th>Job</th><th>Started</th>${heartbeatHeader}<th class="num">Processed</th><th class="num">Failed</th></tr></thead><tbody>
${workers.map(
  (w) => html`<tr><td><span class="state ${w.state}">${w.state}</span></td>
<td><a href="${url(ctx, `/workers/${encodeURIComponent(w.id)}`)}">${w.host}:${w.pid}</a></td><td>${w.queues.join(", ")}</td>
<td>${jobText(ctx, w, byId.get(w.id), "/workers")}</td><td>${ago(w.started)}</td><td>${heartbeatCell(w.heartbeat, live.has(w.id))}</td>
<td class="num">${w.processed}</td><td class="num">${w.failed}</td></tr>`,
)}
</tbody></table>`
}`;
    return c.html(layout(ctx, { title: "Workers", tab: "/workers", body }));
  });
  app.get("/workers/:id", async (c) => {
    const id = c.req.param("id");
    const status = await ctx.resque.worker(id);
    const w = status && workerView(status);
    if (!w)
      return c.html(
        layout(ctx, {
          title: "Worker",
          tab: "/workers",
          body: html`<h1>Worker</h1><p class="empty">No worker <code>${id}</code> is registered (it may have stopped).</p>`,
        }),
        404,
      );
    const runFor = w.job ? parseTime(w.job.runAt) : undefined;
    const alive = (await liveWorkerIds(ctx.resque.db, [id]).catch(() => new Set<string>())).has(id);
    const rows: [string, unknown][] = [
      ["Id", w.id],
      ["Host", w.host],
      ["Pid", w.pid],
      ["Queues", w.queues.join(", ")],
      ["State", w.state],
      ["Started", `${w.started ?? ""} (${ago(w.started)})`],
      ["Heartbeat", w.heartbeat ? `${w.heartbeat} (${ago(w.heartbeat)}; ${beatState(w.heartbeat, alive)}) ${HEARTBEAT_HELP}` : "none"],
      ["Processed", w.processed],
      ["Failed", w.failed],
    ];
    const body = html`<h1>Worker <code>${w.host}:${w.pid}</code></h1>
<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</tbody></table>
${killNotice(c.req.query("kill"))}
${
  status && status.running.length > 0
    ? inflightTable(ctx, status, `/workers/${encodeURIComponent(id)}`)
    : html`<section><h2>Current job</h2>${
        w.job
          ? html`<table class="kv"><tbody>
<tr><th>Queue</th><td>${w.job.queue}</td></tr><tr><th>Class</th><td><code>${jobClass(w.job.payload)}</code></td></tr>
<tr><th>Args</th><td><code class="args">${jobArgs(w.job.payload)}</code></td></tr>
<tr><th>Run at</th><td>${w.job.runAt}</td></tr><tr><th>Running for</th><td>${runFor ? duration(Date.now() - runFor.getTime()) : ""}</td></tr>
</tbody></table>${status && !ctx.readOnly ? html`<p>${noKill(status)}</p>` : ""}`
          : html`<p class="empty">Idle.</p>`
      }</section>`
}`;
    return c.html(layout(ctx, { title: `Worker ${w.host}:${w.pid}`, tab: "/workers", body }));
  });
  return app;
}

/** A resque-ts worker process's jobs in flight, each with its Kill button. */
function inflightTable(ctx: WebContext, w: WorkerStatus, back: string, now = Date.now()): Html {
  return html`<section><h2>Jobs in flight <small>${w.running.length}</small></h2><table class="working"><thead><tr><th>Queue</th><th>Class</th><th>Args</th><th>Started</th><th class="num">Running for</th>${ctx.readOnly ? "" : html`<th></th>`}</tr></thead><tbody>
${w.running.map((j) => {
  const started = parseTime(j.runAt);
  return html`<tr><td>${j.queue}</td><td><code>${jobClass(j.payload)}</code></td><td><code class="args">${jobArgs(j.payload)}</code></td><td>${j.runAt}</td>
<td class="num">${started ? duration(now - started.getTime()) : ""}</td>${ctx.readOnly ? "" : html`<td class="actions">${killButton(ctx, w, j, back)}</td>`}</tr>`;
})}
</tbody></table></section>`;
}
