/** What the dashboard's Stats tab reads about Redis itself: INFO, and the namespace's keys found with a bounded SCAN. */
import { home, type Db } from "../store/connection.ts";

/** Redis INFO as name -> value (section headers dropped). */
export async function redisInfo(db: Db): Promise<Record<string, string>> {
  // On a Cluster, the node that serves the namespace (home).
  const text = await (await home(db)).info();
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

export interface KeyView {
  /** Without the namespace prefix, as resque-web shows it. */
  key: string;
  type: string;
  size: number;
}

export interface KeyScan {
  keys: KeyView[];
  /** SCAN's cursor to continue from; "0" when the whole keyspace was walked. */
  cursor: string;
  complete: boolean;
}

/** Up to about `limit` keys under the namespace from `cursor` (SCAN, never KEYS), with type and size. */
export async function namespaceKeys(db: Db, cursor = "0", limit = 500): Promise<KeyScan> {
  const found: string[] = [];
  let next = cursor;
  // Each SCAN call is bounded (COUNT); so is the number of calls, for a huge keyspace with few matches.
  for (let calls = 0; calls < 50; calls++) {
    const [c, keys] = await (await home(db)).scan(next, "MATCH", `${escapeGlob(db.keys.prefix)}*`, "COUNT", 500);
    next = c;
    found.push(...keys);
    if (next === "0" || found.length >= limit) break;
  }
  const unique = [...new Set(found)].sort();
  const types = await Promise.all(unique.map((k) => db.redis.type(k)));
  const sizes = await Promise.all(unique.map((k, i) => sizeOf(db, k, types[i]!)));
  return {
    keys: unique.map((k, i) => ({ key: k.slice(db.keys.prefix.length), type: types[i]!, size: sizes[i]! })),
    cursor: next,
    complete: next === "0",
  };
}

const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

async function sizeOf(db: Db, key: string, type: string): Promise<number> {
  const r = db.redis;
  switch (type) {
    case "list":
      return r.llen(key);
    case "set":
      return r.scard(key);
    case "zset":
      return r.zcard(key);
    case "hash":
      return r.hlen(key);
    case "string":
      return r.strlen(key);
    default:
      return 0;
  }
}

/** Empty a queue but keep it listed (resque-web deletes; clearing is for a queue workers still watch). */
export async function clearQueue(db: Db, queue: string): Promise<number> {
  const size = await db.redis.llen(db.keys.queue(queue));
  await db.redis.del(db.keys.queue(queue));
  return size;
}
