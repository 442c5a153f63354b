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

/**
 * Parse a record; undefined when it is not one of ours. Every field is checked, so a record of
 * the wrong shape (hand-written, or another version's) reads with defaults instead of breaking a page.
 */
export function parseRecord<T extends ProcessRecord | MasterRecord>(text: string | null, role: T["role"]): T | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || value["role"] !== role) return undefined;
  const common = {
    host: str(value["host"]),
    pid: num(value["pid"]),
    ppid: num(value["ppid"]),
    rss: num(value["rss"]),
    started: num(value["started"]),
  };
  if (role === "master") {
    const children = Array.isArray(value["children"])
      ? value["children"].filter((c): c is number => typeof c === "number" && Number.isFinite(c))
      : [];
    return { role, ...common, title: str(value["title"]), children } satisfies MasterRecord as T;
  }
  const queues = Array.isArray(value["queues"]) ? value["queues"].filter((q): q is string => typeof q === "string") : [];
  const running = (Array.isArray(value["running"]) ? value["running"] : []).filter(isObject).map(
    (r): RunningRecord => ({
      token: str(r["token"]),
      queue: str(r["queue"]),
      className: str(r["className"]),
      startedMs: num(r["startedMs"]),
    }),
  );
  return { role, ...common, queues, running, supervised: value["supervised"] === true } satisfies ProcessRecord as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
