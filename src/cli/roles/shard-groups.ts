/**
 * `resque work --shards N`: every worker group (and the scheduler) once per shard namespace, each
 * told its namespace by environment, and each with the master's connection under that namespace so
 * the master settles an exited process's jobs in the shard it worked.
 */
import type { WorkerGroup } from "../../master/worker-group.ts";
import { resqueKeys } from "../../protocol/keys.ts";
import type { Db } from "../../store/connection.ts";

export function shardGroups(groups: readonly WorkerGroup[], namespaces: readonly string[], db: Db): WorkerGroup[] {
  return namespaces.flatMap((namespace) => {
    const shardDb: Db = { ...db, keys: resqueKeys(namespace) };
    return groups.map((group) => ({
      ...group,
      // A --namespace flag would win over the environment: the shard's namespace goes alone.
      childArgs: group.childArgs.filter((arg) => !arg.startsWith("--namespace=")),
      childEnv: { ...group.childEnv, RESQUE_NAMESPACE: namespace },
      db: shardDb,
    }));
  });
}
