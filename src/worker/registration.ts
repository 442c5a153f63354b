/**
 * Keeping a live worker registered. Redis restarted without persistence, or a stock worker that
 * pruned this one while its heartbeat was late, leaves a live worker unregistered: invisible to
 * `resque workers` and resque-web, and its in-flight list looks orphaned. A cheap SISMEMBER every
 * few seconds notices, and the worker registers again with its original start time.
 */
import { errorMessage } from "../protocol/backtrace.ts";
import { heartbeatAt } from "../protocol/time.ts";
import type { Db } from "../store/connection.ts";
import { isRegistered, redisTime, registerWorker, restoreWorkingOn, writeHeartbeat } from "../store/workers.ts";
import type { Logger } from "../log.ts";

export interface RegistrationWatch {
  /** Check now (the reserve cycle found the worker unregistered), resolving once registered again. */
  checkNow(): Promise<void>;
  /** Stop, waiting for a check in flight (so it cannot register again after the worker unregisters). */
  stop(): Promise<void>;
}

export function keepRegistered(db: Db, id: string, started: string, everySeconds: number, log: Logger): RegistrationWatch {
  let checking: Promise<void> | undefined;
  let stopped = false;
  const check = async () => {
    try {
      if ((await isRegistered(db, id)) || stopped) return;
      await registerWorker(db, id, started);
      await writeHeartbeat(db, id, heartbeatAt(await redisTime(db)));
      // A stock prune also deleted worker:<id>; show the oldest job in flight again at once.
      await restoreWorkingOn(db, id);
      log.warn(
        `Worker ${id} found its registration gone (Redis restarted empty, or it was pruned as dead: stopped or cut off longer than the prune interval, or pruned by a stock worker) and registered again`,
      );
    } catch (error) {
      log.debug(`registration check failed: ${errorMessage(error)}`);
    } finally {
      checking = undefined;
    }
  };
  const timer = setInterval(() => {
    checking ??= check();
  }, everySeconds * 1000);
  return {
    checkNow: async () => {
      checking ??= check();
      await checking;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await checking;
    },
  };
}
