/** Schedules: resque-scheduler's recurring schedules stored in Redis, with their last runs; run now and remove. */
import { Hono } from "hono";
import { schedulesView } from "../../client/views.ts";
import { encodeJson } from "../../protocol/json.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { type WebContext } from "../context.ts";
import { action } from "./common.ts";
import { doneWith } from "../flash.ts";
import { ResqueError } from "../../errors.ts";
import { fileScheduleRoutes, fileSection } from "./file-schedules.ts";

type Config = Record<string, unknown>;
const text = (c: Config, k: string) => (typeof c[k] === "string" ? (c[k] as string) : c[k] === undefined ? "" : encodeJson(c[k] as never));

export function schedulePages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/schedules", async (c) => {
    const all = await schedulesView(ctx.resque);
    const fromFile = await fileSection(ctx, new Set(all.map((s) => s.name)), await ctx.resque.scheduleLastRuns());
    const body = html`<h1>Schedules</h1>
${fromFile}
<h2>Stored in Redis <small>${all.length}</small></h2>
<p class="note">Set with persist (<code>resque schedule add</code>, setSchedule): every scheduler sees them, and one wins over a file entry of the same name.</p>
${
  all.length === 0
    ? html`<p class="empty">No schedules stored in Redis.</p>`
    : html`<table class="schedules"><thead><tr><th>Name</th><th>Source</th><th>When</th><th>Class</th><th>Queue</th><th>Args</th><th>Description</th><th>Last run</th><th></th></tr></thead><tbody>
${all.map((s) => {
  const cfg = (s.config && typeof s.config === "object" && !Array.isArray(s.config) ? s.config : {}) as Config;
  const whenText = cfg["unreadable"]
    ? `unreadable (${text(cfg, "unreadable")}): ${text(cfg, "raw")}`
    : cfg["cron"]
      ? `cron ${text(cfg, "cron")}`
      : cfg["every"]
        ? `every ${text(cfg, "every")}`
        : "(by hand only)";
  return html`<tr><td>${s.name}</td><td><span class="source redis">Redis</span></td><td><code>${whenText}</code></td><td><code>${text(cfg, "custom_job_class") || text(cfg, "class")}</code></td><td>${text(cfg, "queue")}</td>
<td><code class="args">${text(cfg, "args")}</code></td><td>${text(cfg, "description")}</td><td>${s.lastEnqueuedAt ?? "never"}</td>
<td class="actions">${action(ctx, `/schedules/${encodeURIComponent(s.name)}/run`, "Run now")}${action(ctx, `/schedules/${encodeURIComponent(s.name)}/remove`, "Remove", { confirm: `Remove the schedule ${s.name}?`, danger: true })}</td></tr>`;
})}</tbody></table>`
}`;
    return c.html(layout(ctx, { title: "Schedules", tab: "/schedules", body }));
  });
  app.route("/", fileScheduleRoutes(ctx));
  app.post("/schedules/:name/run", async (c) => {
    const name = c.req.param("name");
    let run;
    try {
      run = await ctx.resque.runScheduleNow(name);
    } catch (error) {
      // Removed meanwhile, or a config this version cannot read: say so on the page it came from.
      if (!(error instanceof ResqueError)) throw error;
      return doneWith(c, ctx, "/schedules", error.message, "error");
    }
    return doneWith(
      c,
      ctx,
      "/schedules",
      run.pushed
        ? `Queued ${run.className} (schedule ${name}) on queue ${run.queue} now.`
        : `Schedule ${name}: a before hook of ${run.className} stopped the run; nothing was queued.`,
    );
  });
  app.post("/schedules/:name/remove", async (c) => {
    const name = c.req.param("name");
    const removed = await ctx.resque.removeSchedule(name);
    return doneWith(
      c,
      ctx,
      "/schedules",
      removed
        ? `Removed schedule ${name} from Redis; a scheduler with dynamic schedules stops running it at its next poll.`
        : `No stored schedule named ${name} was left to remove.`,
      removed ? "notice" : "error",
    );
  });
  return app;
}
