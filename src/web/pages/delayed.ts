/** Delayed: resque-scheduler's delayed queue, times oldest first and each time's jobs, 20 a page; enqueue now and remove. */
import { Hono } from "hono";
import { enqueueDelayedRaw, removeDelayedRaw } from "../../client/delayed-items.ts";
import { delayedTimesView, isoTime } from "../../client/views.ts";
import { decodeDelayedItem } from "../../protocol/delayed.ts";
import { encodeJson } from "../../protocol/json.ts";
import { doneWith } from "../flash.ts";
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
${
  times.length === 0
    ? html`<p class="empty">No delayed jobs.</p>`
    : html`<table class="delayed"><thead><tr><th>Time (UTC)</th><th>When</th><th class="num">Jobs</th></tr></thead><tbody>
${times.map((t) => html`<tr><td><a href="${url(ctx, `/delayed/${t.timestamp}`)}">${t.time}</a></td><td>${when(t.timestamp)}</td><td class="num">${t.jobs}</td></tr>`)}
</tbody></table>`
}
${pager(ctx, "/delayed", start, total)}`;
    return c.html(layout(ctx, { title: "Delayed", tab: "/delayed", body }));
  });
  app.get("/delayed/:ts{[0-9]+}", async (c) => {
    const ts = Number(c.req.param("ts"));
    const start = whole(c.req.query("start"), 0);
    const [jobs, entries] = await Promise.all([ctx.resque.delayedTimestampSize(ts), ctx.resque.delayedTimestampPeek(ts, start, PER_PAGE)]);
    const body = html`<h1>Delayed at ${isoTime(ts)} <small>${when(ts)} · ${plural(jobs, "job")}</small></h1>
${
  entries.length === 0
    ? html`<p class="empty">No jobs due at this time.</p>`
    : html`<table class="jobs"><thead><tr><th>Class</th><th>Queue</th><th>Args</th><th></th></tr></thead><tbody>
${entries.map(
  (e) => html`<tr><td><code>${e.item?.className ?? "(unreadable)"}</code></td><td>${e.item ? (e.item.queue ?? "(no queue)") : ""}</td>
<td><code class="args">${e.item ? encodeJson(e.item.args) : e.raw}</code></td>
<td class="actions">${e.item?.queue ? action(ctx, `/delayed/${ts}/enqueue-now`, "Enqueue now", { fields: { item: e.raw } }) : ""}
${action(ctx, `/delayed/${ts}/remove`, "Remove", { fields: { item: e.raw }, danger: true })}</td></tr>`,
)}
</tbody></table>`
}
${pager(ctx, `/delayed/${ts}`, start, jobs)}`;
    return c.html(layout(ctx, { title: "Delayed", tab: "/delayed", body }));
  });
  // After either action: the same time while it still has jobs, else somewhere with something to see.
  const left = async (ts: number) => {
    const n = await ctx.resque.delayedTimestampSize(ts);
    return { n, text: n > 0 ? `${plural(n, "job")} still due at ${isoTime(ts)}.` : `No jobs are left at ${isoTime(ts)}.` };
  };
  app.post("/delayed/:ts{[0-9]+}/enqueue-now", async (c) => {
    const ts = Number(c.req.param("ts"));
    const raw = String((await c.req.parseBody())["item"] ?? "");
    const item = decodeDelayedItem(raw);
    const copies = await enqueueDelayedRaw(ctx.resque.db, raw);
    const rest = await left(ts);
    const queue = item?.queue ?? "";
    const what = `${item?.className ?? "the job"} ${item ? encodeJson(item.args) : ""}`;
    const text =
      copies > 0
        ? `Enqueued ${what} on queue ${queue} now${copies > 1 ? ` (${copies} delayed copies)` : ""}. ${rest.text}`
        : `That job was no longer delayed (enqueued or removed meanwhile); nothing was done. ${rest.text}`;
    // The queue it went to shows it waiting (or already taken); the time's page while others remain.
    return doneWith(c, ctx, rest.n > 0 ? `/delayed/${ts}` : `/queues/${encodeURIComponent(queue)}`, text, copies > 0 ? "notice" : "error");
  });
  app.post("/delayed/:ts{[0-9]+}/remove", async (c) => {
    const ts = Number(c.req.param("ts"));
    const raw = String((await c.req.parseBody())["item"] ?? "");
    const item = decodeDelayedItem(raw);
    const removed = await removeDelayedRaw(ctx.resque.db, ts, raw);
    const rest = await left(ts);
    const text =
      removed > 0
        ? `Removed ${item?.className ?? "the unreadable item"}${removed > 1 ? ` (${removed} copies)` : ""} from ${isoTime(ts)}; it will not run. ${rest.text}`
        : `That job was no longer delayed at ${isoTime(ts)}; nothing was removed. ${rest.text}`;
    return doneWith(c, ctx, rest.n > 0 ? `/delayed/${ts}` : "/delayed", text, removed > 0 ? "notice" : "error");
  });
  return app;
}
