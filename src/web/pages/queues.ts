/** Queues: every queue with its size; one queue's jobs 20 a page (LRANGE); clear (empty, keep listed) and delete. */
import { Hono } from "hono";
import { clearQueue } from "../../client/inspect.ts";
import { queuesView } from "../../client/views.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { action, pager, PER_PAGE, plural, whole } from "./common.ts";
import { latencyNote, oldestCell, oldestHeader } from "./latency.ts";
import { encodeJson } from "../../protocol/json.ts";
import { doneWith } from "../flash.ts";

export function queuePages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/queues", async (c) => {
    const [queues, failed] = await Promise.all([queuesView(ctx.resque), ctx.resque.failed.count()]);
    const body = html`<h1>Queues <small>${queues.length}</small></h1>
<table class="queues"><thead><tr><th>Queue</th><th class="num">Jobs</th>${oldestHeader}</tr></thead><tbody>
${queues.map((q) => html`<tr><td><a href="${url(ctx, `/queues/${encodeURIComponent(q.name)}`)}">${q.name}</a></td><td class="num">${q.size}</td>${oldestCell(q)}</tr>`)}
<tr class="failed-row"><td><a href="${url(ctx, "/failed")}">failed</a></td><td class="num">${failed}</td><td></td></tr>
</tbody></table>
${latencyNote}`;
    return c.html(layout(ctx, { title: "Queues", tab: "/queues", body }));
  });
  app.get("/queues/:name", async (c) => {
    const name = c.req.param("name");
    const start = whole(c.req.query("start"), 0);
    const [size, jobs] = await Promise.all([ctx.resque.size(name), ctx.resque.peek(name, start, PER_PAGE)]);
    const path = `/queues/${encodeURIComponent(name)}`;
    const body = html`<h1>Queue <code>${name}</code> <small>${plural(size, "job")}</small></h1>
<div class="bulk">${action(ctx, `${path}/clear`, "Clear", { confirm: `Delete every job in ${name} (the queue stays listed)?`, danger: true })}
${action(ctx, `${path}/delete`, "Delete queue", { confirm: `Delete the queue ${name} and its jobs?`, danger: true })}</div>
${
  jobs.length === 0
    ? html`<p class="empty">${size === 0 ? "This queue is empty." : `No jobs from ${start}.`}</p>`
    : html`<table class="jobs">
<thead><tr><th class="num">#</th><th>Class</th><th>Args</th></tr></thead><tbody>
${jobs.map((j, i) => html`<tr><td class="num">${start + i}</td><td><code>${j.className ?? "(unreadable)"}</code></td><td><code class="args">${j.args ? encodeJson(j.args) : j.raw}</code></td></tr>`)}
</tbody></table>`
}
${pager(ctx, path, start, size)}`;
    return c.html(layout(ctx, { title: `Queue ${name}`, tab: "/queues", body }));
  });
  app.post("/queues/:name/clear", async (c) => {
    const name = c.req.param("name");
    const n = await clearQueue(ctx.resque.db, name);
    return doneWith(
      c,
      ctx,
      `/queues/${encodeURIComponent(name)}`,
      `Cleared queue ${name}: ${plural(n, "job")} deleted; the queue stays listed.`,
    );
  });
  app.post("/queues/:name/delete", async (c) => {
    const name = c.req.param("name");
    await ctx.resque.removeQueue(name);
    return doneWith(c, ctx, "/queues", `Deleted queue ${name} and its jobs.`);
  });
  return app;
}
