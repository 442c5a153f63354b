/** `resque work --pool file`: a resque-pool file's groups, as the master's worker groups. */
import { readFileSync } from "node:fs";
import { ResqueError } from "../../errors.ts";
import type { WorkerGroup } from "../../master/worker-group.ts";
import { parsePoolFile, poolEnvironment } from "../../master/pool-file.ts";
import type { Runtime } from "../../runtime/types.ts";

/** Flags a group sets for its own processes; the same flags given to `work` are overridden. */
const GROUP_FLAGS = ["queue", "threads", "jobs-per-fork"];

/** Read and parse the pool file now (HUP calls this again). */
export function poolGroups(runtime: Runtime, path: string, flags: readonly string[], childEnv: Record<string, string>): WorkerGroup[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ResqueError(
      "BAD_CONFIG",
      `Cannot read the pool file ${path} (${(error as Error).message}); pass --pool PATH or RESQUE_POOL_CONFIG.`,
    );
  }
  const environment = poolEnvironment((name) => runtime.env(name));
  const shared = flags.filter((f) => !GROUP_FLAGS.some((name) => f.startsWith(`--${name}=`)));
  return parsePoolFile(text, { source: path, ...(environment !== undefined && { environment }) }).map((group) => ({
    queues: group.queues,
    count: group.count,
    childArgs: [
      "worker-process",
      ...shared,
      `--queue=${group.queues}`,
      ...(group.threads !== undefined ? [`--threads=${group.threads}`] : []),
      ...(group.jobsPerFork !== undefined ? [`--jobs-per-fork=${group.jobsPerFork}`] : []),
    ],
    childEnv,
  }));
}
