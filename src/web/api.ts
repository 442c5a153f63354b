/** /api/...: JSON for every page, in the shapes the CLI's --json prints (src/client/views.ts builds both). */
import { Hono } from "hono";
import { namespaceKeys, redisInfo } from "../client/inspect.ts";
import { delayedTimesView, delayedTimeView, failureView, queuesView, schedulesView, statsView, workersView } from "../client/views.ts";
import { encodeJson } from "../protocol/json.ts";
import type { WebContext } from "./context.ts";
import { failedPage } from "./failed-query.ts";
import { PER_PAGE, whole } from "./pages/common.ts";

// encodeJson keeps bigints exact, as the CLI's printJson does.
const json = (value: unknown, status = 200) => new Response(encodeJson(value as never), { status, headers: { "content-type": "application/json; charset=utf-8" } });

export function apiRoutes(ctx: WebContext): Hono {
  const api = new Hono();
  const r = ctx.resque;
  api.get("/overview", async () => {
    const [stats, queues, working] = await Promise.all([statsView(r, ctx.lockPrefix), queuesView(r), workersView(r)]);
    return json({ stats, queues, working: working.filter((w) => w.job) });
  });
  api.get("/stats", async () => json(await statsView(r, ctx.lockPrefix)));
  api.get("/stats/redis", async () => json(await redisInfo(r.db)));
  api.get("/stats/keys", async (c) => json(await namespaceKeys(r.db, c.req.query("cursor") ?? "0")));
  api.get("/queues", async () => json(await queuesView(r)));
  api.get("/queues/:name", async (c) => {
    const name = c.req.param("name");
    const start = whole(c.req.query("start"), 0);
    const [size, jobs] = await Promise.all([r.size(name), r.peek(name, start, PER_PAGE)]);
    return json({ name, size, start, jobs: jobs.map(({ raw, ...j }) => (j.problem ? { ...j, raw } : j)) });
  });
  api.get("/workers", async () => json(await workersView(r)));
  api.get("/workers/:id", async (c) => {
    const w = (await workersView(r)).find((x) => x.id === c.req.param("id"));
    return w ? json(w) : json({ error: `No worker ${c.req.param("id")} is registered.` }, 404);
  });
  api.get("/working", async () => json((await workersView(r)).filter((w) => w.job)));
  api.get("/failed", async (c) => {
    const page = await failedPage(r, {
      start: whole(c.req.query("start"), 0), scan: whole(c.req.query("scan"), Number.MAX_SAFE_INTEGER),
      queue: c.req.query("queue") || undefined, className: c.req.query("class") || undefined,
    });
    return json({ ...page, items: page.items.map(failureView) });
  });
  api.get("/failed/:index{[0-9]+}", async (c) => {
    const f = await r.failed.get(Number(c.req.param("index")));
    return f ? json(failureView(f)) : json({ error: `No failed job at index ${c.req.param("index")}.` }, 404);
  });
  api.get("/delayed", async (c) => {
    const start = whole(c.req.query("start"), 0);
    return json({ total: await r.delayedQueueScheduleSize(), start, times: await delayedTimesView(r, start, PER_PAGE) });
  });
  api.get("/delayed/:ts{[0-9]+}", async (c) => json(await delayedTimeView(r, Number(c.req.param("ts")), whole(c.req.query("start"), 0), PER_PAGE)));
  api.get("/schedules", async () => json(await schedulesView(r)));
  api.get("/history", async (c) => {
    const range = Math.min(whole(c.req.query("range"), 900), 86_400);
    return json({ range, resolutionSeconds: ctx.history.resolutionSeconds, samples: await ctx.history.history(range) });
  });
  api.notFound(() => json({ error: "No such API route." }, 404));
  return api;
}
