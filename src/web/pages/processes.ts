/** Processes: per host, each master (pid, RSS, started, title), its worker processes and the jobs in flight in each. */
import { Hono } from "hono";
import type { OrphanWorker, TreeHost, TreeScheduler, TreeWorker } from "../../client/process-tree.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { ago, duration } from "./common.ts";

/** "48.2 MB". */
export const megabytes = (bytes: number): string => (bytes > 0 ? `${(bytes / 1_048_576).toFixed(1)} MB` : "–");

const since = (ms: number, now: number) => `${duration(now - ms)} ago`;

function workerRows(ctx: WebContext, workers: TreeWorker[], now: number, indent: string): Html[] {
  return workers.map(
    (
      w,
    ) => html`<tr class="proc-worker"><td>${indent}<a href="${url(ctx, `/workers/${encodeURIComponent(w.workerId)}`)}">worker process</a></td>
<td class="num">${w.pid}</td><td class="num">${megabytes(w.rss)}</td><td>${since(w.started, now)}</td><td>${w.queues.join(", ")}</td><td><span class="state ${w.state}">${w.state}</span></td></tr>
${w.jobs.map((j) => html`<tr class="proc-job"><td>└ job <code>${j.className}</code></td><td></td><td></td><td>running for ${duration(now - j.startedMs)}</td><td>${j.queue}</td><td></td></tr>`)}`,
  );
}

/** Scheduler processes: they take no jobs, so they are not counted as workers, but they are processes to see. */
function schedulerRows(schedulers: TreeScheduler[], now: number, indent: string): Html[] {
  return schedulers.map(
    (
      sch,
    ) => html`<tr class="proc-scheduler"><td>${indent}scheduler <span class="kind">${sch.leader ? "leading" : "following"} as <code>${sch.lockValue}</code></span></td>
<td class="num">${sch.pid}</td><td class="num">${megabytes(sch.rss)}</td><td>${since(sch.started, now)}</td><td class="note">delayed jobs and schedules</td><td><span class="state ${sch.leader ? "working" : "idle"}">${sch.leader ? "leader" : "follower"}</span></td></tr>`,
  );
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;

function hostTable(ctx: WebContext, h: TreeHost, now: number): Html {
  const schedulers = h.masters.reduce((n, m) => n + m.schedulers.length, 0) + h.schedulers.length;
  return html`<section class="host"><h2>${h.host} <small>${count(h.masters.length, "master")}, ${count(h.masters.reduce((n, m) => n + m.workers.length, 0) + h.workers.length, "worker process")}${schedulers > 0 ? `, ${count(schedulers, "scheduler")}` : ""}</small></h2>
<table class="processes"><thead><tr><th>Process</th><th class="num">Pid</th><th class="num">RSS</th><th>Started</th><th>Queues / job queue</th><th>State</th></tr></thead><tbody>
${h.masters.map(
  (
    m,
  ) => html`<tr class="proc-master"><td><strong>master</strong> <code class="title">${m.title}</code></td><td class="num">${m.pid}</td><td class="num">${megabytes(m.rss)}</td><td>${since(m.started, now)}</td><td></td><td></td></tr>
${m.workers.length === 0 ? html`<tr><td colspan="6" class="empty">└ no worker process running (starting or stopping)</td></tr>` : workerRows(ctx, m.workers, now, "└ ")}
${schedulerRows(m.schedulers, now, "└ ")}`,
)}
${h.workers.length > 0 ? html`<tr class="proc-master"><td colspan="6"><strong>without a master</strong> (DONT_FORK, or the master is gone)</td></tr>${workerRows(ctx, h.workers, now, "└ ")}` : ""}
${h.schedulers.length > 0 ? html`<tr class="proc-master"><td colspan="6"><strong>schedulers on their own</strong> (<code>resque scheduler</code>)</td></tr>${schedulerRows(h.schedulers, now, "└ ")}` : ""}
</tbody></table></section>`;
}

function orphanTable(ctx: WebContext, orphans: OrphanWorker[]): Html {
  return html`<section><h2>Stock Ruby workers and others without a process record <small>${orphans.length}</small></h2>
<p class="note">Registered in stock's <code>workers</code> set but keeping no resque-ts process record: stock Ruby workers (one process, one job; no RSS or master known),
or resque-ts worker processes whose 15-second record lapsed.</p>
<table class="processes"><thead><tr><th>Worker</th><th class="num">Pid</th><th>Queues</th><th>State</th><th>Started</th></tr></thead><tbody>
${orphans.map(
  (
    o,
  ) => html`<tr><td><a href="${url(ctx, `/workers/${encodeURIComponent(o.workerId)}`)}">${o.host}:${o.pid}</a> <span class="kind">stock / no record</span></td><td class="num">${o.pid}</td>
<td>${o.queues.join(", ")}</td><td><span class="state ${o.state}">${o.state}</span></td><td>${ago(o.started)}</td></tr>`,
)}
</tbody></table></section>`;
}

export function processPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/processes", async (c) => {
    const tree = await ctx.resque.processTree();
    const now = Date.now();
    const body = html`<h1>Processes <small>${tree.hosts.length} host${tree.hosts.length === 1 ? "" : "s"}</small></h1>
<p class="note">From the records resque-ts masters, worker processes and schedulers refresh while they run (masters and workers every 5 s, kept 15 s; schedulers every poll); RSS is the resident memory each reported.</p>
${tree.hosts.length === 0 ? html`<p class="empty">No resque-ts master, worker process or scheduler is running.</p>` : tree.hosts.map((h) => hostTable(ctx, h, now))}
${tree.orphans.length > 0 ? orphanTable(ctx, tree.orphans) : ""}`;
    return c.html(layout(ctx, { title: "Processes", tab: "/processes", body }));
  });
  return app;
}
