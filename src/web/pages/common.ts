/** Small pieces every page uses: forms that carry the CSRF token, pagination, job class and args as text. */
import { encodeJson } from "../../protocol/json.ts";
import { parseHeartbeat } from "../../protocol/time.ts";
import { html, type Html } from "../html.ts";
import { url, type WebContext } from "../context.ts";

/** A POST button carrying the CSRF token; nothing at all in read-only mode. `confirm`: app.js asks first. */
export function action(
  ctx: WebContext,
  path: string,
  label: string,
  options: { confirm?: string; fields?: Record<string, string>; danger?: boolean } = {},
): Html | "" {
  if (ctx.readOnly) return "";
  return html`<form class="action" method="post" action="${url(ctx, path)}"${options.confirm ? html` data-confirm="${options.confirm}"` : ""}>
<input type="hidden" name="_csrf" value="${ctx.csrf}">${Object.entries(options.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button type="submit"${options.danger ? html` class="danger"` : ""}>${label}</button></form>`;
}

export const PER_PAGE = 20;

/** A whole number from the query string, or the fallback. */
export function whole(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && /^\d+$/.test(value) && Number.isSafeInteger(n) ? n : fallback;
}

/** Previous / next links for `start` in `total` (20 a page), keeping the other query parameters. */
export function pager(
  ctx: WebContext,
  path: string,
  start: number,
  total: number,
  params: Record<string, string | undefined> = {},
  per = PER_PAGE,
): Html | "" {
  if (total <= per) return "";
  const link = (s: number) => {
    const q = new URLSearchParams(
      Object.entries({ ...params, start: String(s) }).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
    );
    return `${url(ctx, path)}?${q}`;
  };
  const last = Math.floor((total - 1) / per) * per;
  return html`<p class="pager">
${start > 0 ? html`<a href="${link(0)}">« first</a> <a href="${link(Math.max(0, start - per))}" rel="prev">‹ prev</a>` : ""}
<span>${start + 1}–${Math.min(start + per, total)} of ${total}</span>
${start + per < total ? html`<a href="${link(start + per)}" rel="next">next ›</a> <a href="${link(last)}">last »</a>` : ""}
</p>`;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export const jobClass = (payload: unknown): string => {
  const r = record(payload);
  return r ? String(r["class"] ?? "") : typeof payload === "string" ? payload : encodeJson(payload ?? null);
};

export const jobArgs = (payload: unknown): string => {
  const r = record(payload);
  return r ? encodeJson((r["args"] ?? []) as never) : "";
};

/** "3s", "5m 2s", "2h 10m": a duration. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Resque's time strings (run_at, started, heartbeat) as Dates. */
export const parseTime = (text: string | null | undefined): Date | undefined => {
  if (!text) return undefined;
  const d = parseHeartbeat(text) ?? new Date(text.replace(/^(\d{4}-\d\d-\d\d) /, "$1T").replace(/ ([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(d.getTime()) ? undefined : d;
};

export const ago = (text: string | null | undefined, now = Date.now()): string => {
  const d = parseTime(text);
  return d ? `${duration(now - d.getTime())} ago` : "";
};

/** "1 time", "3 times". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
