/** Schedules: resque-scheduler's recurring schedules stored in Redis, with their last runs; run now and remove. */
import { Hono } from "hono";
import { schedulesView } from "../../client/views.ts";
import { encodeJson } from "../../protocol/json.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { action } from "./common.ts";

type Config = Record<string, unknown>;
const text = (c: Config, k: string) => (typeof c[k] === "string" ? (c[k] as string) : c[k] === undefined ? "" : encodeJson(c[k] as never));

export function schedulePages(ctx: WebContext): Hono {
  const app = new Hono();
  app.get("/schedules", async (c) => {
    const all = await schedulesView(ctx.resque);
    const body = html`<h1>Schedules <small>${all.length}</small></h1>
<p class="note">The schedules stored in Redis (set with persist). Schedules from a scheduler's --schedule file live in that process and are not listed.</p>
${all.length === 0 ? html`<p class="empty">No schedules stored in Redis.</p>` : html`<table class="schedules"><thead><tr><th>Name</th><th>When</th><th>Class</th><th>Queue</th><th>Args</th><th>Description</th><th>Last run</th><th></th></tr></thead><tbody>
${all.map((s) => {
  const cfg = (s.config && typeof s.config === "object" && !Array.isArray(s.config) ? s.config : {}) as Config;
  const whenText = cfg["unreadable"] ? `unreadable (${text(cfg, "unreadable")}): ${text(cfg, "raw")}` : cfg["cron"] ? `cron ${text(cfg, "cron")}` : cfg["every"] ? `every ${text(cfg, "every")}` : "(by hand only)";
  return html`<tr><td>${s.name}</td><td><code>${whenText}</code></td><td><code>${text(cfg, "custom_job_class") || text(cfg, "class")}</code></td><td>${text(cfg, "queue")}</td>
<td><code class="args">${text(cfg, "args")}</code></td><td>${text(cfg, "description")}</td><td>${s.lastEnqueuedAt ?? "never"}</td>
<td class="actions">${action(ctx, `/schedules/${encodeURIComponent(s.name)}/run`, "Run now")}${action(ctx, `/schedules/${encodeURIComponent(s.name)}/remove`, "Remove", { confirm: `Remove the schedule ${s.name}?`, danger: true })}</td></tr>`;
})}</tbody></table>`}`;
    return c.html(layout(ctx, { title: "Schedules", tab: "/schedules", body }));
  });
  app.post("/schedules/:name/run", async (c) => {
    await ctx.resque.runScheduleNow(c.req.param("name"));
    return c.redirect(url(ctx, "/schedules"), 303);
  });
  app.post("/schedules/:name/remove", async (c) => {
    await ctx.resque.removeSchedule(c.req.param("name"));
    return c.redirect(url(ctx, "/schedules"), 303);
  });
  return app;
}
