/**
 * Where Redis is, in every form stock's `Resque.redis =` accepts: redis:// and rediss:// URLs
 * (user, password, db), `host:port`, `host:port:db` and `host:port/namespace`.
 */
import { ResqueError } from "../errors.ts";

export interface RedisLocation {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** Only the `host:port/namespace` form names one, as in stock. */
  namespace?: string;
  /** `host:port` for messages. */
  address: string;
}

const FORMS = "redis://[user:password@]host:port/db, rediss://..., host:port, host:port:db or host:port/namespace";

export function parseRedisLocation(input: string | undefined): RedisLocation {
  const text = (input ?? "").trim() || "redis://127.0.0.1:6379/0";
  if (/^rediss?:\/\//i.test(text)) return parseUrl(text);
  // "redis//h:1" and "redis:/h:1" would otherwise read as a server named "redis".
  const typo = /^(rediss?)(?:\/{2,}|:\/(?!\/))/i.exec(text);
  if (typo)
    throw badLocation(
      text,
      `it looks like a URL missing part of its "://"; did you mean ${masked(`${typo[1]}://${text.slice(typo[0].length)}`)}?`,
    );
  if (text.includes("://")) throw badLocation(text, "only redis:// and rediss:// URLs are understood");
  const slash = text.indexOf("/");
  const server = slash < 0 ? text : text.slice(0, slash);
  const namespace = slash < 0 ? undefined : text.slice(slash + 1) || undefined;
  const [host = "", port = "6379", db = "0", ...rest] = server.split(":");
  if (!host || rest.length > 0) throw badLocation(text, "expected host:port");
  return finish({ host, port, db, tls: false, namespace }, text);
}

function parseUrl(text: string): RedisLocation {
  // Not `let url: URL`: Deno's publish check, with bun-types loaded, sees only the value URL.
  let url;
  try {
    url = new URL(text);
  } catch {
    throw badLocation(text, "not a valid URL");
  }
  const db = url.pathname.replace(/^\//, "") || "0";
  return finish(
    {
      host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
      port: url.port || "6379",
      db,
      tls: url.protocol.toLowerCase() === "rediss:",
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
    },
    text,
  );
}

function finish(
  raw: { host: string; port: string; db: string; tls: boolean; namespace?: string; username?: string; password?: string },
  text: string,
): RedisLocation {
  const port = Number(raw.port);
  const db = Number(raw.db);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badLocation(text, `port "${raw.port}" is not a number from 1 to 65535`);
  if (!Number.isInteger(db) || db < 0) throw badLocation(text, `database "${raw.db}" is not a whole number`);
  const location: RedisLocation = { host: raw.host, port, db, tls: raw.tls, address: `${raw.host}:${port}` };
  if (raw.namespace) location.namespace = raw.namespace;
  if (raw.username) location.username = raw.username;
  if (raw.password) location.password = raw.password;
  return location;
}

// A password in the input never reaches a log line.
const masked = (text: string) => text.replace(/([^:@/]*:)[^@/]*@/, "$1***@");

const badLocation = (text: string, why: string) =>
  new ResqueError("REDIS_LOCATION", `Cannot use Redis location "${masked(text)}": ${why}${why.endsWith("?") ? "" : "."} Use ${FORMS}.`);
