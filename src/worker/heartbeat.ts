/** The `workers:heartbeat` entry, from Redis's clock, every interval (stock: 60 s). */
import { heartbeatAt } from "../protocol/time.ts";
import type { Db } from "../store/connection.ts";
import { clearHeartbeat, redisTime, writeHeartbeat } from "../store/workers.ts";

export interface Heartbeat {
  stop(): void;
}

export async function startHeartbeat(db: Db, id: string, intervalSeconds: number, onError: (e: unknown) => void): Promise<Heartbeat> {
  await clearHeartbeat(db, id);
  const beat = async () => {
    try {
      await writeHeartbeat(db, id, heartbeatAt(await redisTime(db)));
    } catch (error) {
      onError(error);
    }
  };
  await beat();
  const timer = setInterval(beat, intervalSeconds * 1000);
  return { stop: () => clearInterval(timer) };
}
