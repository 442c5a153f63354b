/** The Schedules page's file section: what the leading scheduler runs from its --schedule file (published in Redis), and Run now. */
import { Hono } from "hono";
import { ResqueError } from "../../errors.ts";
import { fileSchedules, runFileScheduleNow } from "../../client/file-schedules.ts";
import { isoTime } from "../../client/views.ts";
import { decodeJson } from "../../protocol/json-decode.ts";
import { encodeJson } from "../../protocol/json.ts";
import { html, type Html } from "../html.ts";
import { doneWith } from "../flash.ts";
import type { WebContext } from "../context.ts";
import { action, duration } from "./common.ts";

type Config = Record<string, unknown>;
const text = (c: Config, k: string) => (typeof c[k] === "string" ? (c[k] as string) : c[k] === undefined ? "" : encodeJson(c[k] as never));

function configOf(json: string): Config | undefined {
  try {
    const v = decodeJson(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Config) : undefined;
  } catch {
    return undefined;
  }
}

/** `redisNames`: schedules stored in Redis, which win over a file entry of the same name (as in Ruby). */
export async function fileSection(
  ctx: WebContext,
  redisNames: ReadonlySet<string>,
  lastRuns: Record<string, string>,
  now = Date.now(),
): Promise<Html> {
  const published = await fileSchedules(ctx.resque.db);
  if (published.state === "none") {
    return html`<h2>From the schedule file <small>none published</small></h2>
<p class="note">No resque-ts scheduler is leading with a schedule file right now (a running one publishes its file's schedules here every poll).
A stock Ruby scheduler's file schedules live in its memory only and cannot be listed.</p>`;
  }
  if (published.state === "unreadable")
    return html`<h2>From the schedule file</h2><p class="notice error">The published file schedules are unreadable: <code>${published.raw}</code></p>`;
  const rows = published.schedules;
  return html`<h2>From the schedule file <small>${rows.length}</small></h2>
<p class="note">Run by the leading scheduler <code>${published.leader}</code> from its <code>--schedule</code> file (published ${duration(now - published.updated)} ago, refreshed every poll).
They are not stored in Redis: change them in the file and restart the schedulers.</p>
${
  rows.length === 0
    ? html`<p class="empty">The leading scheduler runs no schedule file.</p>`
    : html`<table class="schedules file"><thead><tr><th>Name</th><th>Source</th><th>When</th><th>Class</th><th>Queue</th><th>Args</th><th>Description</th><th>Next run (UTC)</th><th>Last run</th><th></th></tr></thead><tbody>
${rows.map((s) => {
  const cfg = configOf(s.config);
  const shadowed = redisNames.has(s.name);
  const whenText = !cfg
    ? "(unreadable)"
    : cfg["cron"]
      ? `cron ${text(cfg, "cron")}`
      : cfg["every"]
        ? `every ${text(cfg, "every")}`
        : "(by hand only)";
  const next = shadowed
    ? html`<span class="note">replaced by the Redis schedule of this name</span>`
    : s.idle
      ? html`<span class="note">not run: ${s.idle}</span>`
      : s.next !== null
        ? isoTime(Math.floor(s.next / 1000))
        : "";
  return html`<tr><td>${s.name}</td><td><span class="source file">file</span></td><td><code>${whenText}</code></td><td><code>${cfg ? text(cfg, "custom_job_class") || text(cfg, "class") : ""}</code></td><td>${cfg ? text(cfg, "queue") : ""}</td>
<td><code class="args">${cfg ? text(cfg, "args") : s.config}</code></td><td>${cfg ? text(cfg, "description") : ""}</td><td>${next}</td><td>${lastRuns[s.name] ?? "never"}</td>
<td class="actions">${shadowed || !cfg ? "" : action(ctx, `/schedules/file/${encodeURIComponent(s.name)}/run`, "Run now")}</td></tr>`;
})}</tbody></table>`
}`;
}

export function fileScheduleRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  app.post("/schedules/file/:name/run", async (c) => {
    const name = c.req.param("name");
    let run;
    try {
      run = await runFileScheduleNow(ctx.resque.db, ctx.resque.registry, name, Date.now());
    } catch (error) {
      if (!(error instanceof ResqueError)) throw error;
      return doneWith(c, ctx, "/schedules", error.message, "error");
    }
    return doneWith(
      c,
      ctx,
      "/schedules",
      run.pushed
        ? `Queued ${run.className} (file schedule ${name}) on queue ${run.queue} now.`
        : `File schedule ${name}: a before hook of ${run.className} stopped the run; nothing was queued.`,
    );
  });
  return app;
}
