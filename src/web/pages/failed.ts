/** Failed: the failed list, newest first, 20 a page; filters by queue and class; retry and remove one or many. */
import { Hono, type Context } from "hono";
import { failureClass } from "../../client/views.ts";
import type { FailureRecord } from "../../client/failed.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { failedPage, SCAN_LIMIT } from "../failed-query.ts";
import { doneWith, type FlashKind } from "../flash.ts";
import { action, jobArgs, pager, plural, whole } from "./common.ts";

function row(ctx: WebContext, f: FailureRecord) {
  const cls = f.unreadable ? "(unreadable)" : (failureClass(f) ?? "");
  const fields = { failed_at: f.failedAt };
  return html`<tr id="failure-${f.index}"><td class="num">${f.index}</td>
<td>${f.failedAt}<br><small>${f.worker}</small></td>
<td><a href="${url(ctx, `/queues/${encodeURIComponent(f.queue)}`)}">${f.queue}</a></td>
<td><code>${cls}</code></td>
<td><code class="args">${f.unreadable ? f.raw : jobArgs(f.payload)}</code></td>
<td><strong>${f.unreadable ? f.unreadable : f.exception}</strong><pre class="error">${f.error}</pre>
${f.backtrace.length > 0 ? html`<details><summary>backtrace (${f.backtrace.length} lines)</summary><pre class="backtrace">${f.backtrace.join("\n")}</pre></details>` : ""}</td>
<td class="actions">${f.retriedAt ? html`<span class="retried">Retried ${f.retriedAt}</span>` : f.unreadable ? "" : action(ctx, `/failed/${f.index}/retry`, "Retry", { fields })}
${action(ctx, `/failed/${f.index}/remove`, "Remove", { fields, danger: true })}</td></tr>`;
}

export function failedPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/failed", async (c) => {
    const queue = c.req.query("queue") || undefined;
    const className = c.req.query("class") || undefined;
    const page = await failedPage(ctx.resque, {
      start: whole(c.req.query("start"), 0),
      queue,
      className,
      scan: whole(c.req.query("scan"), Number.MAX_SAFE_INTEGER),
    });
    const filterQuery = (extra: Record<string, string>) =>
      `${url(ctx, "/failed")}?${new URLSearchParams({ ...(queue && { queue }), ...(className && { class: className }), ...extra })}`;
    const s = page.scanned;
    const body = html`<h1>Failed <small>${plural(page.total, "job")}</small></h1>
<form class="filter" method="get" action="${url(ctx, "/failed")}">
<label>Queue <input name="queue" value="${queue ?? ""}"></label> <label>Class <input name="class" value="${className ?? ""}"></label>
<button type="submit">Filter</button> ${page.filtered ? html`<a href="${url(ctx, "/failed")}">clear filter</a>` : ""}</form>
${
  s
    ? html`<p class="scan-note">Filtering reads the list in windows (at most ${SCAN_LIMIT} failures a request, so a long list stays quick): this page searched indexes ${s.from} down to ${s.to} and found ${page.items.length}.
${s.next !== null ? html`<a rel="next" href="${filterQuery({ scan: String(s.next) })}">Search older failures from index ${s.next} ›</a>` : html`That reached the oldest failure.`}</p>`
    : ""
}
<div class="bulk">
${action(ctx, "/failed/retry-all", page.filtered ? "Retry all matching" : "Retry all", { confirm: "Retry every failed job shown by this filter?", fields: { ...(queue && { queue }), ...(className && { class: className }) } })}
${action(ctx, "/failed/clear-retried", "Clear retried", { confirm: "Remove every failure already retried?", danger: true })}
${action(ctx, "/failed/clear", "Clear all", { confirm: "Delete every failed job?", danger: true })}
</div>
${
  page.items.length === 0
    ? html`<p class="empty">${page.total === 0 ? "No failed jobs." : "No failed jobs here."}</p>`
    : html`<table class="failed">
<thead><tr><th class="num">#</th><th>Failed at / worker</th><th>Queue</th><th>Class</th><th>Args</th><th>Exception</th><th></th></tr></thead>
<tbody>${page.items.map((f) => row(ctx, f))}</tbody></table>`
}
${page.filtered ? "" : pager(ctx, "/failed", page.start, page.total)}`;
    return c.html(layout(ctx, { title: "Failed", tab: "/failed", body }));
  });

  // Back to the page the action was taken on (the same filter and page), with a message saying what happened.
  const back = (c: Context, text: string, kind: FlashKind = "notice") =>
    doneWith(c, ctx, c.req.header("referer")?.startsWith(new URL(c.req.url).origin) ? c.req.header("referer")! : "/failed", text, kind);
  const form = async (c: Context) => (await c.req.parseBody()) as Record<string, string>;
  const index = (c: Context) => whole(c.req.param("index"), -1);
  // The list shifts as others remove entries: act only on the record the page showed.
  const same = async (c: Context, i: number) => {
    const f = await ctx.resque.failed.get(i);
    return f !== undefined && f.failedAt === (await form(c))["failed_at"] ? f : undefined;
  };
  // 409, on a page of its own that says so and links back (the list moved under the page).
  const changed = (c: Context, i: number) => {
    const to = c.req.header("referer")?.startsWith(new URL(c.req.url).origin) ? c.req.header("referer")! : url(ctx, "/failed");
    const body = html`<h1>Nothing done</h1><p class="notice error" role="alert">Failed job ${i} changed since the page was shown (another action moved the list); nothing was done. Reload and try again.</p><p><a href="${to}">Back</a></p>`;
    return c.html(layout(ctx, { title: "Nothing done", tab: "/failed", body }), 409);
  };
  const named = (f: FailureRecord) => `${failureClass(f) ?? "(unreadable)"} from queue ${f.queue}`;

  app.post("/failed/:index/retry", async (c) => {
    const i = index(c);
    const f = await same(c, i);
    if (!f) return changed(c, i);
    await ctx.resque.failed.retry(i);
    return back(c, `Retried failed job ${i} (${named(f)}): it is back at the end of queue ${f.queue}.`);
  });
  app.post("/failed/:index/remove", async (c) => {
    const i = index(c);
    const f = await same(c, i);
    if (!f) return changed(c, i);
    await ctx.resque.failed.remove(i);
    return back(c, `Removed failed job ${i} (${named(f)}); the jobs after it moved up one place.`);
  });
  app.post("/failed/retry-all", async (c) => {
    const f = await form(c);
    const n = await ctx.resque.failed.retryAll({ ...(f["queue"] && { queue: f["queue"] }), ...(f["class"] && { className: f["class"] }) });
    return back(
      c,
      `Retried ${plural(n, "failed job")}${f["queue"] || f["class"] ? " matching the filter" : ""}: each is back on its queue.`,
    );
  });
  app.post("/failed/clear", async (c) => {
    const n = await ctx.resque.failed.clear();
    return back(c, `Cleared the failed list (${plural(n, "job")} removed).`);
  });
  app.post("/failed/clear-retried", async (c) => {
    const n = await ctx.resque.failed.clearRetried();
    return back(c, `Removed ${plural(n, "failed job")} that had been retried.`);
  });
  return app;
}
