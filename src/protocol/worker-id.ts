/** Worker ids as stock writes them: `host:pid:queue1,queue2` (queues as configured). */
export interface WorkerIdParts {
  host: string;
  pid: number;
  queues: string[];
}

/** Build `host:pid:queues` from the configured queue list (exclusions already removed). */
export function workerId(host: string, pid: number, queues: readonly string[]): string {
  return `${host}:${pid}:${queues.join(",")}`;
}

/** Split on the first two colons only: queue names may hold ':' (stock's parse does the same). */
export function parseWorkerId(id: string): WorkerIdParts {
  const first = id.indexOf(":");
  const second = first < 0 ? -1 : id.indexOf(":", first + 1);
  if (first < 0 || second < 0) return { host: id, pid: Number.NaN, queues: [] };
  return {
    host: id.slice(0, first),
    pid: Number(id.slice(first + 1, second)),
    queues: id.slice(second + 1).split(","),
  };
}
