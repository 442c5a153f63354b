/**
 * Kill a running job from the page: POST /workers/:id/kill (CSRF token and the job's token in the
 * body) leaves a request in Redis that the worker process collects within a heartbeat (at most 5 s);
 * the job fails as Resque::DirtyExit and the process's other jobs go back to their queues uncounted.
 */
import { Hono } from "hono";
import { ResqueError } from "../../errors.ts";
import { httpStatusFor } from "../error-status.ts";
import type { RunningJobStatus, WorkerStatus } from "../../client/status.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { action, jobClass } from "./common.ts";

/** Where a kill may send the browser back to: our own worker pages only (never an open redirect). */
const BACK = /^\/(working|workers(\/[^?#\\]*)?|overview)$/;

/** The Kill button for one job of a resque-ts worker process; nothing in read-only mode. */
export const killButton = (ctx: WebContext, w: WorkerStatus, job: RunningJobStatus, back: string): Html | "" =>
  action(ctx, `/workers/${encodeURIComponent(w.id)}/kill`, "Kill", {
    confirm: `Kill ${jobClass(job.payload)} on ${w.host}:${w.pid}? It fails as Resque::DirtyExit; the process's other jobs go back to their queues.`,
    fields: { token: job.token, back },
    danger: true,
  });

/** Why a stock Ruby worker's job has no Kill button. */
export const noKill = (w: WorkerStatus): Html =>
  html`<span class="no-kill" title="Stock Ruby workers read no kill requests from Redis. To kill its job, send USR1 to pid ${w.pid} on ${w.host}.">no Kill: stock worker</span>`;

/** Every job in flight, one row each: our in-flight list when there is one, else stock's `worker:<id>`. */
export function jobsInFlight(
  workers: WorkerStatus[],
): { worker: WorkerStatus; job: RunningJobStatus | undefined; queue: string; runAt: string; payload: unknown }[] {
  return workers
    .flatMap((w) =>
      w.running.length > 0
        ? w.running.map((j) => ({
            worker: w,
            job: j as RunningJobStatus | undefined,
            queue: j.queue,
            runAt: j.runAt,
            payload: j.payload as unknown,
          }))
        : w.current
          ? [{ worker: w, job: undefined, queue: w.current.queue, runAt: w.current.runAt, payload: w.current.payload as unknown }]
          : [],
    )
    .sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
}

/** The notice a page shows after a kill was asked for (fixed text: nothing from the query string is echoed). */
export const killNotice = (asked: string | undefined): Html | "" =>
  asked === "asked"
    ? html`<p class="notice" role="status">Kill requested. The worker process notices within a heartbeat (at most 5 s): the job fails as Resque::DirtyExit ("Killed from the dashboard"), and the process's other jobs go back to their queues.</p>`
    : "";

export function killRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  app.post("/workers/:id/kill", async (c) => {
    const id = c.req.param("id");
    const form = await c.req.parseBody();
    const token = typeof form["token"] === "string" && form["token"] !== "" ? form["token"] : undefined;
    const back = typeof form["back"] === "string" && BACK.test(form["back"]) ? form["back"] : "/working";
    try {
      await ctx.resque.killJob(id, token);
    } catch (error) {
      if (!(error instanceof ResqueError) || (error.code !== "NO_WORKER" && error.code !== "NO_JOB")) throw error;
      const body = html`<h1>Kill refused</h1><p class="notice error" role="alert">${error.message}</p><p><a href="${url(ctx, back)}">Back</a></p>`;
      return c.html(
        layout(ctx, { title: "Kill refused", tab: back.startsWith("/workers") ? "/workers" : "/working", body }),
        httpStatusFor(error),
      );
    }
    return c.redirect(url(ctx, `${back}?kill=asked`), 303);
  });
  return app;
}
