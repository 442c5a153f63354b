/**
 * A private redis-server for one test file: free loopback port, its own data dir, stopped
 * afterwards. Tests never touch a Redis they did not start.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import process from "node:process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis, type RedisOptions } from "ioredis";

export interface StartRedisOptions {
  /** More redis-server flags, e.g. ["--replicaof", "127.0.0.1", "6380"] for a replica. */
  args?: string[];
  /** requirepass: clients must AUTH with it (url and client carry it). */
  password?: string;
  /** Also serve TLS on a free port of its own (tlsPort, tlsUrl); files are PEM paths. */
  tls?: {
    certFile: string;
    keyFile: string;
    caFile: string;
    /** tls-auth-clients: require a client certificate signed by caFile. */
    authClients: boolean;
    /** Keep the plain port too (default true); false serves TLS only, and `client` then uses TLS. */
    plain?: boolean;
  };
}

export interface TestRedis {
  /** The plain URL (with the password, if any); the TLS one when the server is TLS-only. */
  url: string;
  /** The plain port; 0 when the server is TLS-only. */
  port: number;
  tlsPort?: number;
  /** rediss://127.0.0.1:<tlsPort>/0 (with the password, if any). */
  tlsUrl?: string;
  /** A plain client for assertions. */
  client: Redis;
  /** The running server's process id (a fault test SIGKILLs or SIGSTOPs it). */
  readonly pid: number;
  /** Stop and start again; `empty`: as a server without persistence comes back, with no data. */
  restart(options?: { empty?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** Whether `port` can be listened on at 127.0.0.1 right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback TCP port, drawn at random below the kernel's ephemeral range (32768+). Not
 * listen(0): that hands out ephemeral ports, and a port a test's Redis frees for a restart was then
 * the next one given to another process, whose server the restarted test went on to talk to.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  throw new Error("no free loopback port found between 20000 and 32000");
}

/** Wait until a server answers on the port; returns its process id (INFO server). */
async function waitForServer(options: RedisOptions & { port: number }): Promise<number> {
  const port = options.port;
  for (let i = 0; i < 200; i++) {
    const probe = new Redis({ ...options, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on("error", () => {});
    try {
      await probe.connect();
      const info = await probe.info("server");
      probe.disconnect();
      return Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server on port ${port} did not answer`);
}

/**
 * The server binary tests start: redis-server, or another that speaks the same protocol and flags
 * (RESQUE_TEST_SERVER=valkey-server: `npm run test:valkey` runs the suite against Valkey 8).
 */
export const SERVER_BINARY = process.env["RESQUE_TEST_SERVER"] || "redis-server";

export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  if (spawnSync(SERVER_BINARY, ["--version"]).error) {
    throw new Error(`${SERVER_BINARY} is not installed: run \`npm test\` (it installs it) or \`apt-get install redis-server\`.`);
  }
  const dir = mkdtempSync(join(tmpdir(), "resque-test-redis-"));
  const tls = options.tls;
  const port = tls?.plain === false ? 0 : await freePort();
  const tlsPort = tls ? await freePort() : undefined;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes"];
  if (options.password !== undefined) args.push("--requirepass", options.password);
  if (options.args) args.push(...options.args);
  if (tls) {
    args.push(
      "--tls-port",
      String(tlsPort),
      "--tls-cert-file",
      tls.certFile,
      "--tls-key-file",
      tls.keyFile,
      "--tls-ca-cert-file",
      tls.caFile,
    );
    args.push("--tls-auth-clients", tls.authClients ? "yes" : "no");
  }
  // The harness's own client: plain when there is a plain port, else TLS with the test's files
  // (presenting the server's own certificate, which caFile signed, when clients must have one).
  const clientOptions: RedisOptions & { port: number } =
    port !== 0
      ? { port, password: options.password }
      : {
          port: tlsPort!,
          password: options.password,
          tls: {
            ca: readFileSync(tls!.caFile, "utf8"),
            ...(tls!.authClients && { cert: readFileSync(tls!.certFile, "utf8"), key: readFileSync(tls!.keyFile, "utf8") }),
          },
        };
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(SERVER_BINARY, args, { stdio: "ignore" });
    // The server that answered must be the one just started: if another process took the port
    // meanwhile, ours exited and the probe reached theirs, which a test must never touch.
    const pid = await waitForServer(clientOptions);
    if (pid !== child.pid) {
      child.kill("SIGKILL");
      throw new Error(`redis-server could not listen on port ${port || tlsPort}: another process (pid ${pid}) holds it.`);
    }
  };
  const halt = () =>
    new Promise<void>((resolve) => {
      // Deno leaves exitCode null for a process a signal ended: check both.
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  await launch();
  const client = new Redis({ ...clientOptions, host: "127.0.0.1" });
  // A fault test kills or freezes its server: its commands reject; the reconnect attempts need not print.
  client.on("error", () => {});
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : "";
  const tlsUrl = tlsPort ? `rediss://${auth}127.0.0.1:${tlsPort}/0` : undefined;
  return {
    url: port !== 0 ? `redis://${auth}127.0.0.1:${port}/0` : tlsUrl!,
    port,
    ...(tlsPort && { tlsPort, tlsUrl }),
    client,
    get pid() {
      return child.pid!;
    },
    restart: async (restartOptions: { empty?: boolean } = {}) => {
      await halt();
      if (restartOptions.empty) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
      await launch();
    },
    stop: async () => {
      client.disconnect();
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A namespace of its own for each test, so tests never see each other's keys. */
export const uniqueNamespace = (label: string) => `t${Date.now().toString(36)}${(counter++).toString(36)}:${label}`;
