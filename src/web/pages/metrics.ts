/** Metrics ("/graphs"): history graphs from Redis (live on top), and per-class runs, failures and run time. */
import { Hono } from "hono";
import type { ClassMetrics } from "../../client/class-metrics.ts";
import { html, type Html } from "../html.ts";
import { layout } from "../layout.ts";
import { url, type WebContext } from "../context.ts";
import { PER_SECOND_MAX } from "../sampler.ts";
import { duration } from "./common.ts";
import { BUCKET_BOUNDS_MS, bucketRange } from "../../protocol/histogram.ts";

export const RANGES: [seconds: number, label: string][] = [
  [300, "5 minutes"],
  [900, "15 minutes"],
  [3600, "1 hour"],
  [86_400, "24 hours"],
  [604_800, "7 days"],
];

/** The per-class window for a graph range: whole minutes, at most the 24 h the minute hashes live. */
export const classMinutes = (rangeSeconds: number): number => Math.min(1440, Math.max(1, Math.ceil(rangeSeconds / 60)));

/** "0.4 ms", "120 ms", "2.35 s", "5m 2s". */
/** A percentile from the histogram: inside the first bucket all it knows is "under 1 ms". */
const percentile = (value: number | null): string =>
  value !== null && value <= BUCKET_BOUNDS_MS[0]! ? `< ${BUCKET_BOUNDS_MS[0]} ms` : ms(value);

/** A percentile's cell, its title giving the bucket it was estimated in (its resolution). */
function percentileCell(value: number | null, longest: number | null): Html {
  if (value === null || value <= BUCKET_BOUNDS_MS[0]!) return html`<td class="num">${percentile(value)}</td>`;
  const [lower, upper] = bucketRange(value);
  const capped = longest !== null && value === longest ? ", capped at the longest run" : "";
  return html`<td class="num" title="${`Estimated inside the ${ms(lower)}–${upper === undefined ? "∞" : ms(upper)} bucket${capped}`}">${percentile(value)}</td>`;
}

/** The histogram's bucket bounds, for the note under the table: "1 ms, 2 ms, 5 ms, ... 1 h". */
const BOUNDS_TEXT = BUCKET_BOUNDS_MS.map((b) => (b >= 60_000 ? `${b / 60_000} min` : b >= 1000 ? `${b / 1000} s` : `${b} ms`)).join(", ");

export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "–";
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)} s`;
  return duration(value);
}

const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "–");

function classTable(ctx: WebContext, classes: ClassMetrics[], range: number, chosen: string | undefined): Html {
  if (classes.length === 0) return html`<p class="empty">No jobs ran in this window (or no resque-ts worker recorded them).</p>`;
  return html`<table class="classes"><thead><tr><th>Class</th><th class="num">Runs</th><th class="num">Failures</th><th class="num">Failure %</th>
<th class="num">Avg</th><th class="num">p50 <small>est.</small></th><th class="num">p95 <small>est.</small></th><th class="num">Longest</th><th class="num">Total time</th></tr></thead><tbody>
${classes.map(
  (
    m,
  ) => html`<tr${m.className === chosen ? html` class="current"` : ""}><td><a href="${url(ctx, `/graphs?${new URLSearchParams({ range: String(range), class: m.className })}#per-minute`)}"><code>${m.className}</code></a></td>
<td class="num">${m.runs}</td><td class="num">${m.failures}</td><td class="num">${percent(m.failures, m.runs)}</td>
<td class="num">${ms(m.runs > 0 ? m.totalMs / m.runs : null)}</td>${percentileCell(m.p50Ms, m.maxMs)}${percentileCell(m.p95Ms, m.maxMs)}<td class="num">${ms(m.maxMs)}</td><td class="num">${ms(m.totalMs)}</td></tr>`,
)}
</tbody></table>`;
}

export function metricsPages(ctx: WebContext): Hono {
  const app = new Hono();
  // /metrics is the Prometheus exposition scrapers expect; the page is /graphs.
  app.get("/graphs", async (c) => {
    const asked = Number(c.req.query("range"));
    const range = RANGES.some(([s]) => s === asked) ? asked : 900;
    const minutes = classMinutes(range);
    const chosen = c.req.query("class") || undefined;
    const classes = await ctx.resque.classMetrics({ minutes });
    const per = range <= PER_SECOND_MAX ? "second" : "minute";
    const history = url(ctx, `/api/history?range=${range}`);
    const body = html`<h1>Metrics</h1>
<p class="subnav">Range: ${RANGES.map(([s, l]) => html`<a href="${url(ctx, `/graphs?range=${s}`)}"${s === range ? html` class="current"` : ""}>${l}</a> `)}
· <a href="${url(ctx, "/metrics")}">Prometheus text</a></p>
<p class="note">History is kept in Redis (<code>resque-ts:history:s</code>, a point a second for the last hour; <code>resque-ts:history:m</code>, a point a minute for 7 days),
sampled from stock's counters by any running dashboard, so it survives restarts and includes Ruby workers' jobs; a gap means no dashboard was sampling.
This range shows one point per ${per}; the graphs then follow live.</p>
<section><h2>Processed and failed per second</h2><div class="graph" id="rate-graph" data-graph="rates" data-history="${history}"></div></section>
<section><h2>Queue depth</h2><div class="graph" id="depth-graph" data-graph="depth" data-history="${history}"></div>
<p class="note">Redis history keeps the total waiting in all queues. The lines for single queues (the six biggest now) come from this dashboard's own samples:
they start where it began sampling (it keeps the last hour) and then follow live; a gap means it was not sampling then.</p></section>
<section><h2>Per job class <small>last ${minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`}${range > 86_400 ? " (per-class minutes are kept 24 h)" : ""}</small></h2>
${classTable(ctx, classes, range, chosen)}
<p class="note">Recorded by resque-ts workers as jobs end (stock Ruby workers record none). p50 and p95 are estimates from a fixed duration histogram
whose buckets end at ${BOUNDS_TEXT}: each is only as precise as the bucket it falls in (a p95 of 12 s lies somewhere between 10 s and 30 s; hover a value for its bucket),
and never more than the longest run recorded.</p></section>
${
  chosen
    ? html`<section id="per-minute"><h2>Per minute: <code>${chosen}</code></h2>
<div class="graph" id="class-graph" data-graph="class" data-history="${url(ctx, `/api/classes?${new URLSearchParams({ minutes: String(minutes), class: chosen })}`)}"></div></section>`
    : ""
}`;
    return c.html(layout(ctx, { title: "Metrics", tab: "/graphs", body, graphs: true }));
  });
  return app;
}
