/**
 * Where Redis is, in every form stock's `Resque.redis =` accepts: redis:// and rediss:// URLs
 * (user, password, db), `host:port`, `host:port:db` and `host:port/namespace`; and behind Redis
 * Sentinel: `redis+sentinel://[user:password@]host:port[,host:port...]/<master>[/<db>]`
 * (`rediss+sentinel://` for TLS), which ioredis's own Sentinel support resolves and follows; and a
 * Redis Cluster: `redis+cluster://[user:password@]host:port[,host:port...]` (`rediss+cluster://`),
 * any of its nodes, from which ioredis's own Cluster client learns the rest and follows failovers.
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
  /** `host:port` for messages; behind Sentinel, `<master> via <sentinel>,<sentinel>`. */
  address: string;
  /** Set for a `redis+sentinel://` URL: where to ask, and for which master. */
  sentinel?: SentinelLocation;
  /** Set for a `redis+cluster://` URL: the nodes to start from (ioredis asks them for the rest). */
  cluster?: ClusterLocation;
}

export interface ClusterLocation {
  /** Startup nodes, in the URL's order; any one that answers is enough. */
  nodes: { host: string; port: number }[];
}

export interface SentinelLocation {
  /** The sentinels to ask, in the URL's order (ioredis tries each in turn). */
  nodes: { host: string; port: number }[];
  /** The monitored master's name (`sentinel monitor <name> ...`). */
  masterName: string;
  /** The sentinels' own credentials (`?sentinelUsername=&sentinelPassword=`), when they require AUTH. */
  username?: string;
  password?: string;
}

const FORMS =
  "redis://[user:password@]host:port/db, rediss://..., redis+sentinel://[user:password@]host:port[,host:port...]/<master>[/<db>], redis+cluster://[user:password@]host:port[,host:port...], host:port, host:port:db or host:port/namespace";
const SENTINEL_PORT = 26379;

export function parseRedisLocation(input: string | undefined): RedisLocation {
  const text = (input ?? "").trim() || "redis://127.0.0.1:6379/0";
  if (/^rediss?:\/\//i.test(text)) return parseUrl(text);
  if (/^rediss?\+sentinel:\/\//i.test(text)) return parseSentinelUrl(text);
  if (/^rediss?\+cluster:\/\//i.test(text)) return parseClusterUrl(text);
  // "redis//h:1" and "redis:/h:1" would otherwise read as a server named "redis".
  const typo = /^(rediss?)(?:\/{2,}|:\/(?!\/))/i.exec(text);
  if (typo)
    throw badLocation(
      text,
      `it looks like a URL missing part of its "://"; did you mean ${masked(`${typo[1]}://${text.slice(typo[0].length)}`)}?`,
    );
  if (text.includes("://")) throw badLocation(text, "only redis://, rediss://, redis+sentinel:// and redis+cluster:// URLs are understood");
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

/**
 * `redis+sentinel://[user:password@]h1:p1,h2:p2/<master>[/<db>][?sentinelUsername=..&sentinelPassword=..]`:
 * the user and password are the master's (as in a redis:// URL); the sentinels' own come as query
 * parameters, since one URL has one userinfo. A sentinel without a port listens on 26379.
 */
function parseSentinelUrl(text: string): RedisLocation {
  const match = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(text);
  if (!match) throw badLocation(text, "not a valid Sentinel URL");
  const [, scheme = "", userinfo, hosts = "", path = "", query = ""] = match;
  const nodes = parseNodes(text, hosts, "sentinel", SENTINEL_PORT);
  const [masterName = "", db = "0", ...rest] = path.replace(/^\//, "").split("/");
  if (!masterName) throw badLocation(text, "a Sentinel URL names the master after the sentinels (redis+sentinel://host:port/mymaster)");
  if (rest.length > 0) throw badLocation(text, "after the master name only a database number may follow (/mymaster/0)");
  const params = new URLSearchParams(query);
  const unknown = [...params.keys()].filter((key) => key !== "sentinelUsername" && key !== "sentinelPassword");
  if (unknown.length > 0) throw badLocation(text, `unknown parameter ${unknown.join(", ")} (only sentinelUsername and sentinelPassword)`);
  const [user = "", password = ""] = userinfo === undefined ? [] : splitOnce(userinfo, ":");
  const sentinel: SentinelLocation = { nodes, masterName: decodeURIComponent(masterName) };
  if (params.get("sentinelUsername")) sentinel.username = params.get("sentinelUsername")!;
  if (params.get("sentinelPassword")) sentinel.password = params.get("sentinelPassword")!;
  const location = finish(
    {
      host: nodes[0]!.host,
      port: String(nodes[0]!.port),
      db,
      tls: scheme.toLowerCase() === "rediss",
      username: user ? decodeURIComponent(user) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
    },
    text,
  );
  location.sentinel = sentinel;
  location.address = `${sentinel.masterName} via sentinel ${nodes.map(hostPort).join(",")}`;
  return location;
}

/**
 * `redis+cluster://[user:password@]h1:p1[,h2:p2...]`: startup nodes (primaries or replicas; ioredis
 * asks the first that answers for the whole cluster). A Cluster has database 0 only, so no path;
 * the user and password are every node's. A node without a port listens on 6379.
 */
function parseClusterUrl(text: string): RedisLocation {
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(text);
  if (!match) throw badLocation(text, "not a valid Cluster URL");
  const [, scheme = "", userinfo, hosts = "", path = "", query = ""] = match;
  if (path.replace(/^\//, "") !== "" && path !== "/0") {
    throw badLocation(text, "a Redis Cluster has database 0 only; give no path after the nodes (redis+cluster://host:port,host:port)");
  }
  if (query) throw badLocation(text, "a Cluster URL takes no parameters");
  const nodes = parseNodes(text, hosts, "cluster node", 6379);
  const [user = "", password = ""] = userinfo === undefined ? [] : splitOnce(userinfo, ":");
  const location = finish(
    {
      host: nodes[0]!.host,
      port: String(nodes[0]!.port),
      db: "0",
      tls: scheme.toLowerCase() === "rediss",
      username: user ? decodeURIComponent(user) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
    },
    text,
  );
  location.cluster = { nodes };
  location.address = `cluster ${nodes.map(hostPort).join(",")}`;
  return location;
}

/** `h1:p1,h2:p2,[::1]:p3` as nodes; `what` names them in errors, `defaultPort` is for a node given without one. */
function parseNodes(text: string, hosts: string, what: string, defaultPort: number): { host: string; port: number }[] {
  return hosts.split(",").map((node) => {
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(node);
    const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : (node.split(":") as [string, string?]);
    if (!host || (!bracketed && node.split(":").length > 2)) throw badLocation(text, `${what} "${node}" is not host:port`);
    const number = Number(port ?? defaultPort);
    if (!Number.isInteger(number) || number < 1 || number > 65535) {
      throw badLocation(text, `${what} port "${port}" is not a number from 1 to 65535`);
    }
    return { host, port: number };
  });
}

/** `host:port`, an IPv6 host in brackets. */
export const hostPort = (node: { host: string; port: number }) => `${node.host.includes(":") ? `[${node.host}]` : node.host}:${node.port}`;

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
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

/** The location as a URL without credentials, for views (stock's `Resque.info[:servers]`, the dashboard's footer). */
export function locationUrl(location: RedisLocation): string {
  if (location.cluster) return `redis${location.tls ? "s" : ""}+cluster://${location.cluster.nodes.map(hostPort).join(",")}`;
  const sentinel = location.sentinel;
  if (!sentinel) return `redis${location.tls ? "s" : ""}://${location.address}/${location.db}`;
  const nodes = sentinel.nodes.map(hostPort).join(",");
  return `redis${location.tls ? "s" : ""}+sentinel://${nodes}/${sentinel.masterName}/${location.db}`;
}

// A password in the input never reaches a log line.
const masked = (text: string) => text.replace(/([^:@/]*:)[^@/]*@/, "$1***@").replace(/(sentinelPassword=)[^&#]*/i, "$1***");

const badLocation = (text: string, why: string) =>
  new ResqueError("REDIS_LOCATION", `Cannot use Redis location "${masked(text)}": ${why}${why.endsWith("?") ? "" : "."} Use ${FORMS}.`);
