/** /api/...: JSON for every page, in the shapes the CLI's --json prints (src/client/views.ts builds both). */
import { Hono } from "hono";
import { namespaceKeys, redisInfo } from "../client/inspect.ts";
import {
  delayedTimesView,
  delayedTimeView,
  failureView,
  queuesView,
  schedulesView,
  statsView,
  workerView,
  workersView,
} from "../client/views.ts";
import { fileSchedules } from "../client/file-schedules.ts";
import { encodeJson } from "../protocol/json.ts";
import type { WebContext } from "./context.ts";
import { failedPage } from "./failed-query.ts";
import { PER_PAGE, whole } from "./pages/common.ts";
import { jobsInFlight } from "./pages/kill.ts";
import { ResqueError } from "../errors.ts";
import { httpStatusFor } from "./error-status.ts";

// encodeJson keeps bigints exact, as the CLI's printJson does.
const json = (value: unknown, status = 200) =>
  new Response(encodeJson(value as never), { status, headers: { "content-type": "application/json; charset=utf-8" } });

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
  api.get("/latency", async () => json(await r.queueLatency()));
  api.get("/classes", async (c) => {
    const minutes = Math.min(1440, Math.max(1, whole(c.req.query("minutes"), 60)));
    const name = c.req.query("class");
    const classes = (await r.classMetrics({ minutes })).filter((m) => name === undefined || m.className === name);
    if (name === undefined) return json({ minutes, classes });
    const one = classes[0];
    // The per-minute graph's points, in /api/history's shape.
    const points = (one?.perMinute ?? []).map((m) => ({
      t: m.minute,
      runs: m.runs,
      failures: m.failures,
      avgMs: m.runs > 0 ? m.totalMs / m.runs : null,
    }));
    return json({ minutes, classes, resolutionSeconds: 60, points });
  });
  // The last bucket's bound is Infinity, which JSON cannot carry: "+Inf", as Prometheus writes it.
  api.get("/classes/totals", async () =>
    json(
      (await r.classTotals()).map((t) => ({
        ...t,
        buckets: t.buckets.map((b) => ({ le: b.le === Infinity ? "+Inf" : b.le, count: b.count })),
      })),
    ),
  );
  api.get("/processes", async () => json(await r.processTree()));
  api.post("/workers/:id/kill", async (c) => {
    const type = c.req.header("content-type") ?? "";
    const form = type.includes("form")
      ? await c.req.parseBody()
      : type.includes("json")
        ? ((await c.req.json()) as Record<string, unknown>)
        : {};
    const token = typeof form["token"] === "string" && form["token"] !== "" ? form["token"] : undefined;
    try {
      return json(await r.killJob(c.req.param("id"), token), 202);
    } catch (error) {
      if (error instanceof ResqueError && (error.code === "NO_WORKER" || error.code === "NO_JOB"))
        return json({ error: error.message, code: error.code }, httpStatusFor(error));
      throw error;
    }
  });
  api.get("/queues/:name", async (c) => {
    const name = c.req.param("name");
    const start = whole(c.req.query("start"), 0);
    const [size, jobs] = await Promise.all([r.size(name), r.peek(name, start, PER_PAGE)]);
    return json({ name, size, start, jobs: jobs.map(({ raw, ...j }) => (j.problem ? { ...j, raw } : j)) });
  });
  api.get("/workers", async () => json(await workersView(r)));
  api.get("/workers/:id", async (c) => {
    const w = await r.worker(c.req.param("id"));
    return w ? json(workerView(w)) : json({ error: `No worker ${c.req.param("id")} is registered.` }, 404);
  });
  // Every job in flight (each of a THREAD_COUNT > 1 process's), with the token a kill names.
  api.get("/working", async () =>
    json(
      jobsInFlight(await r.workers()).map(({ worker, job, queue, runAt, payload }) => ({
        worker: worker.id,
        host: worker.host,
        pid: worker.pid,
        queue,
        runAt,
        payload,
        token: job?.token ?? null,
        killable: Boolean(job),
      })),
    ),
  );
  api.get("/failed", async (c) => {
    const page = await failedPage(r, {
      start: whole(c.req.query("start"), 0),
      scan: whole(c.req.query("scan"), Number.MAX_SAFE_INTEGER),
      queue: c.req.query("queue") || undefined,
      className: c.req.query("class") || undefined,
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
  api.get("/delayed/:ts{[0-9]+}", async (c) =>
    json(await delayedTimeView(r, Number(c.req.param("ts")), whole(c.req.query("start"), 0), PER_PAGE)),
  );
  api.get("/schedules", async () => json(await schedulesView(r)));
  // The leading scheduler's --schedule file, as it published it (stock keeps those in memory only).
  api.get("/schedules/file", async () => json(await fileSchedules(r.db)));
  api.get("/history", async (c) => {
    const range = Math.min(whole(c.req.query("range"), 900), 7 * 86_400);
    const latest = ctx.live.latest();
    // Redis keeps only the total waiting; the biggest queues' lines are drawn live from the stream.
    const queues = Object.entries(latest?.queues ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([q]) => q)
      .sort();
    const history = await ctx.history.history(range);
    // Each point carries the single queues' sizes this dashboard saw then, so those lines start with the history.
    const points = ctx.recentDepth
      ? ctx.recentDepth.attach(history.points, queues, Math.max(1000, history.resolutionSeconds * 500))
      : history.points;
    return json({ range, ...history, points, queues });
  });
  api.notFound(() => json({ error: "No such API route." }, 404));
  return api;
}
