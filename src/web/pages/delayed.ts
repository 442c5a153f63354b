/** Delayed: resque-scheduler's delayed queue, times oldest first and each time's jobs, 20 a page; enqueue now and remove. */
import { Hono } from "hono";
import { enqueueDelayedRaw, removeDelayedRaw } from "../../client/delayed-items.ts";
import { delayedTimesView, isoTime } from "../../client/views.ts";
import { encodeJson } from "../../protocol/json.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { action, duration, pager, PER_PAGE, plural, whole } from "./common.ts";

const when = (ts: number, now = Date.now()) => (ts * 1000 >= now ? `in ${duration(ts * 1000 - now)}` : `${duration(now - ts * 1000)} ago`);

export function delayedPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/delayed", async (c) => {
    const start = whole(c.req.query("start"), 0);
    const [total, times] = await Promise.all([ctx.resque.delayedQueueScheduleSize(), delayedTimesView(ctx.resque, start, PER_PAGE)]);
    const body = html`<h1>Delayed <small>${plural(total, "time")} with jobs</small></h1>
${times.length === 0 ? html`<p class="empty">No delayed jobs.</p>` : html`<table class="delayed"><thead><tr><th>Time (UTC)</th><th>When</th><th class="num">Jobs</th></tr></thead><tbody>
${times.map((t) => html`<tr><td><a href="${url(ctx, `/delayed/${t.timestamp}`)}">${t.time}</a></td><td>${when(t.timestamp)}</td><td class="num">${t.jobs}</td></tr>`)}
</tbody></table>`}
${pager(ctx, "/delayed", start, total)}`;
    return c.html(layout(ctx, { title: "Delayed", tab: "/delayed", body }));
  });
  app.get("/delayed/:ts{[0-9]+}", async (c) => {
    const ts = Number(c.req.param("ts"));
    const start = whole(c.req.query("start"), 0);
    const [jobs, entries] = await Promise.all([ctx.resque.delayedTimestampSize(ts), ctx.resque.delayedTimestampPeek(ts, start, PER_PAGE)]);
    const body = html`<h1>Delayed at ${isoTime(ts)} <small>${when(ts)} · ${plural(jobs, "job")}</small></h1>
${entries.length === 0 ? html`<p class="empty">No jobs due at this time.</p>` : html`<table class="jobs"><thead><tr><th>Class</th><th>Queue</th><th>Args</th><th></th></tr></thead><tbody>
${entries.map((e) => html`<tr><td><code>${e.item?.className ?? "(unreadable)"}</code></td><td>${e.item ? (e.item.queue ?? "(no queue)") : ""}</td>
<td><code class="args">${e.item ? encodeJson(e.item.args) : e.raw}</code></td>
<td class="actions">${e.item?.queue ? action(ctx, `/delayed/${ts}/enqueue-now`, "Enqueue now", { fields: { item: e.raw } }) : ""}
${action(ctx, `/delayed/${ts}/remove`, "Remove", { fields: { item: e.raw }, danger: true })}</td></tr>`)}
</tbody></table>`}
${pager(ctx, `/delayed/${ts}`, start, jobs)}`;
    return c.html(layout(ctx, { title: "Delayed", tab: "/delayed", body }));
  });
  app.post("/delayed/:ts{[0-9]+}/enqueue-now", async (c) => {
    const raw = String((await c.req.parseBody())["item"] ?? "");
    await enqueueDelayedRaw(ctx.resque.db, raw);
    return c.redirect(url(ctx, `/delayed/${c.req.param("ts")}`), 303);
  });
  app.post("/delayed/:ts{[0-9]+}/remove", async (c) => {
    const raw = String((await c.req.parseBody())["item"] ?? "");
    await removeDelayedRaw(ctx.resque.db, Number(c.req.param("ts")), raw);
    return c.redirect(url(ctx, `/delayed/${c.req.param("ts")}`), 303);
  });
  return app;
}
