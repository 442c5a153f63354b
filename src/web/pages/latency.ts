/** The "oldest job" column (Sidekiq's queue latency) on Queues and Overview, from the queues view. */
import type { QueueView } from "../../client/views.ts";
import { html, type Html } from "../html.ts";
import { duration } from "./common.ts";

const LOWER_BOUND =
  "Stock payloads carry no enqueue time, so unless a job has ActiveJob's enqueued_at this is the time since the dashboard first saw that job at the head of the queue: a lower bound (≥).";

export const oldestHeader: Html = html`<th class="num" title="${LOWER_BOUND}">Oldest job <abbr title="${LOWER_BOUND}">?</abbr></th>`;

export function oldestCell(q: QueueView): Html {
  if (q.problem) return html`<td class="num latency unreadable">${q.problem}</td>`;
  if (q.oldestAgeSeconds === null) return html`<td class="num latency"></td>`;
  const text = duration(q.oldestAgeSeconds * 1000);
  return q.oldestAgeSource === "first-seen"
    ? html`<td class="num latency" title="At least this old: first seen at the head this long ago (no enqueued_at in the payload)">≥ ${text}</td>`
    : html`<td class="num latency" title="From the job's enqueued_at">${text}</td>`;
}

/** The note under a queues table. */
export const latencyNote: Html = html`<p class="note">Oldest job: how long the job at the head of each queue has waited. ${LOWER_BOUND}</p>`;
