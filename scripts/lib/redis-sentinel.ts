/**
 * A private Sentinel group for one test file: a primary, its replicas and three sentinels, each a
 * redis-server on a free loopback port with its own dir (startRedis), stopped afterwards. Tests
 * reach it with `url` (redis+sentinel://...) as a user would, and fail it over on purpose.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, SERVER_BINARY, startRedis, type TestRedis } from "./redis-server.ts";
import { until as waitUntil } from "./until.ts";

export interface SentinelGroup {
  /** redis+sentinel://127.0.0.1:<s1>,127.0.0.1:<s2>,127.0.0.1:<s3>/<masterName>/0 */
  url: string;
  masterName: string;
  /** Every data server; the first was the primary at the start. */
  servers: TestRedis[];
  /** The server the sentinels name as primary now. */
  primary(): Promise<TestRedis>;
  /**
   * `SENTINEL FAILOVER` (a planned switch, once the replicas are in sync); resolves once every
   * sentinel names the new primary and it takes writes. `pauseWrites`: `CLIENT PAUSE WRITE` on the
   * old primary first, lifted once it is a replica.
   */
  failover(options?: { pauseWrites?: boolean }): Promise<TestRedis>;
  /** Resolves once every sentinel names a primary other than `old` and that server takes writes. */
  promotedFrom(old: TestRedis, timeoutMs?: number): Promise<TestRedis>;
  stop(): Promise<void>;
}

export interface SentinelGroupOptions {
  replicas?: number;
  /** down-after-milliseconds: how long a silent primary takes to be judged down (default 1000). */
  downAfterMs?: number;
}

/** Ask `port`'s sentinel something, on a connection of its own. */
async function askSentinel<T>(port: number, ask: (sentinel: Redis) => Promise<T>): Promise<T> {
  const sentinel = new Redis({ host: "127.0.0.1", port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  sentinel.on("error", () => {});
  try {
    await sentinel.connect();
    return await ask(sentinel);
  } finally {
    sentinel.disconnect();
  }
}

const until = (what: string, timeoutMs: number, check: () => Promise<boolean>) => waitUntil("Sentinel group", what, timeoutMs, check);

export async function startSentinelGroup(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const masterName = "resquetest";
  const replicas = options.replicas ?? 2;
  const downAfterMs = options.downAfterMs ?? 1000;
  // Redis 7 waits repl-diskless-sync-delay (5 s) for more replicas before it sends the first full
  // sync; a failover inside those seconds promotes a replica holding nothing, and every write
  // before it is lost. That was the "Bun/Deno worker through a failover" failure: those runs were
  // faster, not wrong. Sync at once, and start no test until every replica is in sync.
  const syncNow = ["--repl-diskless-sync-delay", "0"];
  const primary = await startRedis({ args: syncNow });
  const servers = [primary];
  for (let i = 0; i < replicas; i++)
    servers.push(await startRedis({ args: [...syncNow, "--replicaof", "127.0.0.1", String(primary.port)] }));
  await until("every replica is in sync with the primary", 30_000, async () => {
    const info = await primary.client.info("replication");
    return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === replicas;
  });
  const sentinels: { port: number; child: ChildProcess; dir: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "resque-test-sentinel-"));
    // Sentinel rewrites its config file as it learns the group, so each has a writable one.
    writeFileSync(
      join(dir, "sentinel.conf"),
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
        "",
      ].join("\n"),
    );
    const child = spawn(SERVER_BINARY, [join(dir, "sentinel.conf"), "--sentinel"], { stdio: "ignore" });
    sentinels.push({ port, child, dir });
  }
  const named = async (port: number) =>
    Number(((await askSentinel(port, (s) => s.call("SENTINEL", "get-master-addr-by-name", masterName))) as string[])[1]);
  // Ready when every sentinel knows every replica and the other two sentinels: a failover needs both.
  await until("the sentinels know the whole group", 30_000, async () => {
    for (const { port } of sentinels) {
      const known = await askSentinel(port, async (s) => [
        ((await s.call("SENTINEL", "replicas", masterName)) as unknown[]).length,
        ((await s.call("SENTINEL", "sentinels", masterName)) as unknown[]).length,
      ]);
      if (known[0] !== replicas || known[1] !== sentinels.length - 1) return false;
    }
    return true;
  });
  const serverOn = (port: number) => servers.find((s) => s.port === port);
  const group: SentinelGroup = {
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${masterName}/0`,
    masterName,
    servers,
    primary: async () => serverOn(await named(sentinels[0]!.port))!,
    promotedFrom: async (old, timeoutMs = 30_000) => {
      let port = 0;
      await until(`a primary other than port ${old.port} is named and takes writes`, timeoutMs, async () => {
        const ports = await Promise.all(sentinels.map((s) => named(s.port)));
        port = ports[0]!;
        if (port === old.port || ports.some((p) => p !== port)) return false;
        const role = (await serverOn(port)!.client.call("ROLE")) as string[];
        return role[0] === "master";
      });
      return serverOn(port)!;
    },
    failover: async (options = {}) => {
      const old = await group.primary();
      // With pauseWrites, the old primary runs no write from here on: the promoted replica then holds
      // everything it acknowledged, and no client can write to it during the switch (see the README's
      // "planned switch"). The pause outlasts the switch; it is lifted once the old primary is a replica.
      if (options.pauseWrites) await old.client.call("CLIENT", "PAUSE", "30000", "WRITE");
      // Else the replicas first hold what the primary holds (SENTINEL FAILOVER itself does not wait).
      // Not with the pause: it delays WAIT's acknowledgements too, and no write comes after it.
      else await old.client.call("WAIT", String(replicas), "5000");
      await askSentinel(sentinels[0]!.port, (s) => s.call("SENTINEL", "FAILOVER", masterName));
      const promoted = await group.promotedFrom(old);
      if (options.pauseWrites) {
        await until("the old primary is a replica", 30_000, async () => ((await old.client.call("ROLE")) as string[])[0] === "slave");
        await old.client.call("CLIENT", "UNPAUSE");
      }
      return promoted;
    },
    stop: async () => {
      for (const { child } of sentinels) {
        if (child.exitCode === null && child.signalCode === null) {
          await new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          });
        }
      }
      for (const { dir } of sentinels) rmSync(dir, { recursive: true, force: true });
      for (const server of servers) await server.stop();
    },
  };
  return group;
}
