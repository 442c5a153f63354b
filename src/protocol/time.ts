/**
 * The time strings stock Resque writes. We always write UTC: stock writes the worker's local
 * zone, and every reader (resque-web, Ruby's Time.parse) accepts both.
 */
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function parts(date: Date) {
  return {
    y: pad(date.getUTCFullYear(), 4),
    mo: pad(date.getUTCMonth() + 1),
    d: pad(date.getUTCDate()),
    h: pad(date.getUTCHours()),
    mi: pad(date.getUTCMinutes()),
    s: pad(date.getUTCSeconds()),
  };
}

/** `failed_at` / `retried_at`: strftime "%Y/%m/%d %H:%M:%S %Z". */
export function failedAt(date: Date): string {
  const t = parts(date);
  return `${t.y}/${t.mo}/${t.d} ${t.h}:${t.mi}:${t.s} UTC`;
}

/** `run_at` in worker:<id>: Time#utc.iso8601. */
export function runAt(date: Date): string {
  const t = parts(date);
  return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}Z`;
}

/** `worker:<id>:started`: Time#to_s, "%Y-%m-%d %H:%M:%S %z". */
export function startedAt(date: Date): string {
  const t = parts(date);
  return `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s} +0000`;
}

/** A `workers:heartbeat` value: Time#iso8601 with an offset, from Redis TIME. */
export function heartbeatAt(date: Date): string {
  const t = parts(date);
  return `${t.y}-${t.mo}-${t.d}T${t.h}:${t.mi}:${t.s}+00:00`;
}

/** Read a heartbeat value back (any ISO-8601 offset, as Ruby workers on other zones write). */
export function parseHeartbeat(value: string): Date | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Seconds since the epoch, as proclines show them. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** resque-scheduler's `delayed:last_enqueued_at` values: Time#to_s, "%Y-%m-%d %H:%M:%S %z" (we write UTC). */
export const lastEnqueuedAt = startedAt;

const RUBY_TIME = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

/** Read a Time#to_s string back (any offset, as Ruby schedulers in other zones write); ms, or undefined. */
export function parseRubyTime(value: string): number | undefined {
  const m = RUBY_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, , oh, om] = m.map(Number) as number[];
  const offset = (oh! * 60 + om!) * 60_000 * (m[7] === "-" ? -1 : 1);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - offset;
}
