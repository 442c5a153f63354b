/**
 * The `workers:heartbeat` entry, from Redis's clock, every interval (stock: 60 s); and, more
 * often, our process record (`resque-ts:process:<id>`, 15 s TTL), whose round trip also collects
 * the dashboard's kill requests.
 */
import { heartbeatAt } from "../protocol/time.ts";
import type { Db } from "../store/connection.ts";
import { PROCESS_TTL_SECONDS, processBeat, removeProcess } from "../store/processes.ts";
import { clearHeartbeat, redisTime, writeHeartbeat } from "../store/workers.ts";

export interface Heartbeat {
  stop(): Promise<void>;
}

export interface ProcessBeat {
  /** Seconds between process records (well under their TTL). */
  interval: number;
  /** The record to write (JSON). */
  record: () => string;
  /** Kill requests found (tokens, or "*"). */
  onKill: (tokens: string[]) => void;
}

export async function startHeartbeat(
  db: Db,
  id: string,
  intervalSeconds: number,
  onError: (e: unknown) => void,
  records?: ProcessBeat,
): Promise<Heartbeat> {
  await clearHeartbeat(db, id);
  const beat = async () => {
    try {
      await writeHeartbeat(db, id, heartbeatAt(await redisTime(db)));
    } catch (error) {
      onError(error);
    }
  };
  const processBeatNow = async () => {
    if (!records) return;
    try {
      const kills = await processBeat(db, id, records.record());
      if (kills.length > 0) records.onKill(kills);
    } catch (error) {
      onError(error);
    }
  };
  await beat();
  await processBeatNow();
  const timer = setInterval(beat, intervalSeconds * 1000);
  const every = Math.min(records?.interval ?? PROCESS_TTL_SECONDS / 3, PROCESS_TTL_SECONDS / 3);
  const processTimer = records ? setInterval(processBeatNow, every * 1000) : undefined;
  return {
    stop: async () => {
      clearInterval(timer);
      clearInterval(processTimer);
      if (records) await removeProcess(db, id).catch(onError);
    },
  };
}
