/**
 * What a worker's heartbeat says. Workers write `workers:heartbeat` every heartbeat interval
 * (stock's Resque.heartbeat_interval, 60 s; ours the same unless RESQUE_HEARTBEAT_INTERVAL says
 * otherwise), so a healthy worker's heartbeat is anything up to a minute old: "51s ago" is normal,
 * and the page says so instead of leaving it to look like trouble. A resque-ts worker process also
 * keeps a process record refreshed every 5 s (kept 15 s): while it exists, the process is alive.
 */
import { html, type Html } from "../html.ts";
import { ago, parseTime } from "./common.ts";

/** Stock's heartbeat interval and prune_interval, in seconds. */
export const STOCK_HEARTBEAT_SECONDS = 60;
export const STOCK_PRUNE_SECONDS = 300;
/** A beat this much past the interval is late (a busy Redis or a slow event loop delays it a little). */
const SLACK_SECONDS = 15;

export const HEARTBEAT_HELP =
  `Workers write their heartbeat every ${STOCK_HEARTBEAT_SECONDS} s (stock's interval; RESQUE_HEARTBEAT_INTERVAL changes it), so up to a minute old is normal. ` +
  `A worker whose heartbeat is over ${STOCK_PRUNE_SECONDS / 60} minutes old is pruned as dead. resque-ts worker processes also report every 5 s: "alive" means that report is current.`;

export type BeatState = "alive" | "on time" | "late" | "stale" | "none";

/** The state of a heartbeat `beat` at `now`; `live`: the worker's resque-ts process record exists. */
export function beatState(beat: string | null, live: boolean, now = Date.now()): BeatState {
  if (live) return "alive";
  const at = parseTime(beat);
  if (!at) return "none";
  const age = (now - at.getTime()) / 1000;
  return age <= STOCK_HEARTBEAT_SECONDS + SLACK_SECONDS ? "on time" : age <= STOCK_PRUNE_SECONDS ? "late" : "stale";
}

/** The Heartbeat cell: its state first, then how long ago it was written. */
export function heartbeatCell(beat: string | null, live: boolean, now = Date.now()): Html {
  const state = beatState(beat, live, now);
  const when = beat ? ago(beat, now) : "";
  const title =
    state === "alive"
      ? "Its process reported within the last 15 s; the heartbeat itself is written once a minute"
      : state === "on time"
        ? `Written every ${STOCK_HEARTBEAT_SECONDS} s: this is within one interval`
        : state === "late"
          ? `More than one interval (${STOCK_HEARTBEAT_SECONDS} s) ago: the worker may be stuck or gone`
          : state === "stale"
            ? `Over ${STOCK_PRUNE_SECONDS / 60} minutes: the next prune removes this worker as dead`
            : "No heartbeat written";
  return html`<span class="beat ${state.replace(" ", "-")}" title="${title}">${state}</span>${when ? html` <small class="beat-age">beat ${when}</small>` : ""}`;
}

/** The column header, with the explanation on hover. */
export const heartbeatHeader: Html = html`<th title="${HEARTBEAT_HELP}">Heartbeat <abbr title="${HEARTBEAT_HELP}">?</abbr></th>`;
