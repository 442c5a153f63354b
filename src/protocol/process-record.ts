/** What worker processes and masters write about themselves under `resque-ts:` (JSON). */

/** One job in flight in a worker process. */
export interface RunningRecord {
  /** entryToken of its in-flight entry: what killJob names. */
  token: string;
  queue: string;
  className: string;
  /** When it started, epoch ms. */
  startedMs: number;
}

/** `resque-ts:process:<workerId>`. */
export interface ProcessRecord {
  role: "worker";
  host: string;
  pid: number;
  ppid: number;
  rss: number;
  /** Epoch ms. */
  started: number;
  queues: string[];
  running: RunningRecord[];
  /** Supervised by a master (its pid is ppid). */
  supervised: boolean;
}

/** `resque-ts:master:<host:pid>`. */
export interface MasterRecord {
  role: "master";
  host: string;
  pid: number;
  ppid: number;
  rss: number;
  started: number;
  title: string;
  /** Its worker processes' pids. */
  children: number[];
}

/** Parse a record; undefined when it is not one of ours. */
export function parseRecord<T extends ProcessRecord | MasterRecord>(text: string | null, role: T["role"]): T | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as T;
    return value && typeof value === "object" && value.role === role ? value : undefined;
  } catch {
    return undefined;
  }
}
