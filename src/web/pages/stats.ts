/** Stats: Resque.info, Redis INFO, and the namespace's keys (SCAN with a bound, never KEYS). */
import { Hono } from "hono";
import { namespaceKeys, redisInfo } from "../../client/inspect.ts";
import { statsView } from "../../client/views.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";

const sub = (ctx: WebContext, current: string): Html =>
  html`<p class="subnav">${[
    ["/stats", "Resque"],
    ["/stats/redis", "Redis"],
    ["/stats/keys", "Keys"],
  ].map(([p, l]) => html`<a href="${url(ctx, p!)}"${p === current ? html` class="current"` : ""}>${l}</a> `)}</p>`;

const kv = (rows: [string, unknown][]) =>
  html`<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? "")}</td></tr>`)}</tbody></table>`;

export function statsPages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/stats", async (c) => {
    const s = await statsView(ctx.resque, ctx.lockPrefix);
    const body = html`<h1>Stats</h1>${sub(ctx, "/stats")}
${kv([
  ["environment", s.environment],
  ["pending", s.pending],
  ["processed", s.processed],
  ["failed", s.failed],
  ["queues", s.queues],
  ["workers", s.workers],
  ["working", s.working],
  ["servers", s.servers.join(", ")],
  ["delayed times", s.delayedTimestamps],
  ["scheduler", s.scheduler.leader ?? "none leading"],
  ["delayed due", s.scheduler.dueJobs === 0 ? "0" : `${s.scheduler.dueJobs} job(s), oldest ${s.scheduler.lagSeconds}s late`],
])}`;
    return c.html(layout(ctx, { title: "Stats", tab: "/stats", body }));
  });
  app.get("/stats/redis", async (c) => {
    const info = await redisInfo(ctx.resque.db);
    const body = html`<h1>Redis</h1>${sub(ctx, "/stats/redis")}${kv(Object.entries(info))}`;
    return c.html(layout(ctx, { title: "Redis", tab: "/stats", body }));
  });
  app.get("/stats/keys", async (c) => {
    const scan = await namespaceKeys(ctx.resque.db, c.req.query("cursor") ?? "0");
    const body = html`<h1>Keys <small>under ${ctx.resque.db.keys.prefix}</small></h1>${sub(ctx, "/stats/keys")}
<p class="scan-note">Keys are found with SCAN, a bounded batch a request (never KEYS, which would stall Redis on a big keyspace).
${scan.complete ? "This is the rest of the keyspace." : html`<a rel="next" href="${url(ctx, `/stats/keys?cursor=${encodeURIComponent(scan.cursor)}`)}">More keys ›</a>`}</p>
<table class="keys"><thead><tr><th>Key</th><th>Type</th><th class="num">Size <small>(items; bytes for a string)</small></th></tr></thead><tbody>
${scan.keys.map((k) => html`<tr><td><code>${k.key}</code></td><td>${k.type}</td><td class="num">${k.size}</td></tr>`)}</tbody></table>`;
    return c.html(layout(ctx, { title: "Keys", tab: "/stats", body }));
  });
  return app;
}
