/**
 * resque-scheduler web's per-item actions, on an item's exact stored bytes (as the page showed
 * them): re-encoding class and args could differ from what Ruby wrote, and then match nothing.
 */
import { ResqueError } from "../errors.ts";
import { decodeDelayedItem } from "../protocol/delayed.ts";
import { encodePayload } from "../protocol/payload.ts";
import type { Db } from "../store/connection.ts";
import * as store from "../store/delayed.ts";

/** Remove the copies of `raw` due at `ts`; how many went. */
export const removeDelayedRaw = (db: Db, ts: number, raw: string): Promise<number> => store.removeDelayedItemAt(db, ts, raw);

/** enqueue_delayed for one stored item: every delayed copy of it is pushed to its queue now (no hooks: the dashboard loads no job code). */
export async function enqueueDelayedRaw(db: Db, raw: string): Promise<number> {
  const item = decodeDelayedItem(raw);
  if (!item || item.queue === null)
    throw new ResqueError("BAD_RECORD", "That delayed item names no queue, so it cannot be enqueued from here.");
  return store.removeDelayedItem(db, raw, { queue: item.queue, payload: encodePayload(item.className, item.args) });
}
