/** What every page and API route is given: the client, where the app is mounted, and its security settings. */
import type { Resque } from "../client/resque.ts";
import type { RecentDepth } from "./recent-depth.ts";
import type { HistorySource, LiveSource } from "./sampler.ts";

export interface WebContext {
  resque: Resque;
  /** Where the app is mounted ("" or "/resque"): every link, form, asset and API URL starts with it. */
  base: string;
  csrf: string;
  readOnly: boolean;
  history: HistorySource;
  live: LiveSource;
  version: string;
  /** Per-queue sizes this dashboard has sampled, for the Queue depth graph's history. */
  recentDepth?: RecentDepth;
  /** resque-scheduler's lock prefix, for the scheduler status. */
  lockPrefix?: string;
}

/** A path under the mount point. */
export const url = (ctx: WebContext, path: string): string => `${ctx.base}${path}`;
