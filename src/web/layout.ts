/** The page shell: tabs, footer, the one stylesheet and the one script (no inline code: the CSP forbids it). */
import { html, type Html } from "./html.ts";
import { url, type WebContext } from "./context.ts";

export const TABS: [path: string, label: string][] = [
  ["/overview", "Overview"],
  ["/working", "Working"],
  ["/failed", "Failed"],
  ["/queues", "Queues"],
  ["/workers", "Workers"],
  ["/stats", "Stats"],
  ["/delayed", "Delayed"],
  ["/schedules", "Schedules"],
  ["/graphs", "Metrics"],
  ["/processes", "Processes"],
];

export interface Page {
  title: string;
  /** The tab to highlight, e.g. "/failed". */
  tab: string;
  body: Html;
  /** Pages with graphs load uPlot too. */
  graphs?: boolean;
}

export function layout(ctx: WebContext, page: Page): string {
  const assets = url(ctx, "/assets");
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Resque</title>
<link rel="icon" href="data:,">
${page.graphs ? html`<link rel="stylesheet" href="${assets}/uPlot.min.css">` : ""}
<link rel="stylesheet" href="${assets}/app.css">
</head>
<body data-base="${ctx.base}" data-stream="${url(ctx, "/stream")}" data-csrf="${ctx.csrf}">
<header>
<a class="brand" href="${url(ctx, "/overview")}">Resque</a>
<nav>${TABS.map(([path, label]) => html`<a href="${url(ctx, path)}"${page.tab === path ? html` class="current"` : ""}>${label}</a>`)}</nav>
${ctx.readOnly ? html`<span class="badge">read-only</span>` : ""}
</header>
<main>
${page.body}
</main>
<footer>resque-ts ${ctx.version} · namespace <code>${ctx.resque.db.keys.namespace}</code> · ${ctx.resque.server}</footer>
${page.graphs ? html`<script src="${assets}/uPlot.iife.min.js"></script>` : ""}
<script src="${assets}/app.js"></script>
</body>
</html>
`.text;
}
