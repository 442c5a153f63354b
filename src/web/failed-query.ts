/**
 * The failed list for one page, newest first. A filter by queue or class cannot use an index, so
 * it scans in bounded windows (at most SCAN_LIMIT records a request) and says where it stopped:
 * 100,000 failures never make one request read them all.
 */
import type { FailureRecord } from "../client/failed.ts";
import type { Resque } from "../client/resque.ts";
import { failureClass } from "../client/views.ts";
import { PER_PAGE } from "./pages/common.ts";

export const SCAN_WINDOW = 500;
export const SCAN_LIMIT = 5000;

export interface FailedQuery {
  start?: number;
  queue?: string;
  className?: string;
  /** Filtered: the list index to scan down from (default: the newest). */
  scan?: number;
}

export interface FailedPage {
  total: number;
  items: FailureRecord[];
  filtered: boolean;
  /** Unfiltered: the page's offset from the newest. */
  start: number;
  /** Filtered: the list indexes this request read (from >= to), and where the next page's scan starts (null: reached the oldest). */
  scanned?: { from: number; to: number; next: number | null };
}

export async function failedPage(resque: Resque, q: FailedQuery): Promise<FailedPage> {
  const total = await resque.failed.count();
  const filtered = Boolean(q.queue || q.className);
  if (!filtered) {
    const start = Math.min(q.start ?? 0, Math.max(0, total - 1));
    const hi = total - 1 - start;
    const lo = Math.max(0, hi - PER_PAGE + 1);
    const items = hi < 0 ? [] : (await resque.failed.list(lo, hi - lo + 1)).reverse();
    return { total, items, filtered, start };
  }
  const from = Math.min(q.scan ?? total - 1, total - 1);
  const items: FailureRecord[] = [];
  let index = from;
  let read = 0;
  while (index >= 0 && items.length < PER_PAGE && read < SCAN_LIMIT) {
    const lo = Math.max(0, index - SCAN_WINDOW + 1);
    const window = (await resque.failed.list(lo, index - lo + 1)).reverse();
    for (const f of window) {
      read++;
      index = f.index - 1;
      if ((!q.queue || f.queue === q.queue) && (!q.className || failureClass(f) === q.className)) items.push(f);
      if (items.length >= PER_PAGE) break;
    }
    if (window.length === 0) break;
  }
  return { total, items, filtered, start: 0, scanned: { from, to: index + 1, next: index >= 0 ? index : null } };
}
