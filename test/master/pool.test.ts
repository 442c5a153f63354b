import assert from "node:assert/strict";
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { useRedis } from "../support/fixture.ts";
import { commandLine, eventually, exited, processGone, spawnCli } from "../support/spawn-cli.ts";

const redis = useRedis();
type Resque = ReturnType<typeof redis.open>;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A pool file in a fresh temporary directory; write it again to change it. */
function poolFile(text: string): { path: string; write: (text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), "resque-test-pool-"));
  dirs.push(dir);
  const path = join(dir, "resque-pool.yml");
  const write = (next: string) => writeFileSync(path, next);
  write(text);
  return { path, write };
}

interface Pool {
  master: ChildProcess;
  reportKey: string;
  /** Everything the master and its worker processes printed so far. */
  output: () => string;
}

/** `resque work --pool path`, or with `viaEnv`, RESQUE_POOL_CONFIG=path. */
function startPool(resque: Resque, path: string, env: Record<string, string> = {}, viaEnv = false): Pool {
  const reportKey = `${resque.db.keys.namespace}:report`;
  const master = spawnCli(["work", "--require", "test/fixtures/jobs.ts", ...(viaEnv ? [] : ["--pool", path])], {
    ...(viaEnv && { RESQUE_POOL_CONFIG: path }),
    INTERVAL: "0.05",
    REDIS_URL: redis.server().url,
    RESQUE_NAMESPACE: resque.db.keys.namespace,
    TEST_REPORT_URL: redis.server().url,
    TEST_REPORT_KEY: reportKey,
    // Whatever the test runner's environment says, no pool environment unless a test picks one.
    RACK_ENV: "",
    RAILS_ENV: "",
    RESQUE_ENV: "",
    ...env,
  });
  let output = "";
  master.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  master.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  return { master, reportKey, output: () => output };
}

/** Registered workers as [pid, queue list] from their `host:pid:queues` ids, sorted by queue list then pid. */
async function registered(resque: Resque): Promise<Array<[number, string]>> {
  const ids = await resque.db.redis.smembers(resque.db.keys.workers);
  return ids
    .map((id): [number, string] => {
      const parts = id.split(":");
      return [Number(parts.at(-2)), parts.at(-1)!];
    })
    .sort((a, b) => a[1].localeCompare(b[1]) || a[0] - b[0]);
}

const queuesOf = (workers: Array<[number, string]>) => workers.map(([, queues]) => queues);
/** The exit code, once the process has exited and all its output is read (call it before the process can end). */
const closed = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once("close", (code) => resolve(code)));

const pidsFor = (workers: Array<[number, string]>, queues: string) => workers.filter(([, q]) => q === queues).map(([pid]) => pid);

/** Wait until exactly these queue lists are registered (one entry per process), and return the workers. */
const settleOn = (resque: Resque, expected: string[]) =>
  eventually(
    async () => {
      const workers = await registered(resque);
      return JSON.stringify(queuesOf(workers)) === JSON.stringify(expected) ? workers : undefined;
    },
    `workers for ${expected.join(" / ")}`,
  );

/** The pid of the process that ran WhoAmI(tag), once it has run. */
const ranBy = (resque: Resque, reportKey: string, tag: string) =>
  eventually(async () => {
    const line = (await resque.db.redis.lrange(reportKey, 0, -1)).find((l) => l.startsWith(`${tag} `));
    return line ? Number(line.split(" ")[1]) : undefined;
  }, `job ${tag} to be done`);

/** Worker processes among the children of `pid` (tsx's esbuild service is a child too), by title or, before it is set, argv. */
const childrenOf = (pid: number) =>
  spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0 && /resque-\d|resque: Starting|worker-process/.test(commandLine(n)))
    .sort((a, b) => a - b);

async function quit(resque: Resque, master: ChildProcess): Promise<void> {
  process.kill(master.pid!, "SIGQUIT");
  assert.equal(await exited(master), 0);
  assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
}

describe("resque work --pool", () => {
  it("runs each group's processes with its own queues, works every queue, and lists them all", async () => {
    const resque = redis.open("pool-groups");
    const file = poolFile(`"pa": 2\n"pb,pc":\n  count: 1\n  threads: 4\n`);
    const { master, reportKey } = startPool(resque, file.path);
    const workers = await settleOn(resque, ["pa", "pa", "pb,pc"]);
    const [pa1, pa2] = pidsFor(workers, "pa");
    const [pbc] = pidsFor(workers, "pb,pc");
    assert.ok(!workers.some(([pid]) => pid === master.pid), "the master runs no worker itself");
    assert.deepEqual(
      childrenOf(master.pid!),
      [pa1!, pa2!, pbc!].sort((a, b) => a - b),
      "the registered workers are the master's processes",
    );

    await resque.enqueueTo("pa", "WhoAmI", "a");
    await resque.enqueueTo("pb", "WhoAmI", "b");
    await resque.enqueueTo("pc", "WhoAmI", "c");
    assert.ok([pa1, pa2].includes(await ranBy(resque, reportKey, "a")), "the pa job ran in a pa process");
    assert.equal(await ranBy(resque, reportKey, "b"), pbc);
    assert.equal(await ranBy(resque, reportKey, "c"), pbc);

    await eventually(
      () => commandLine(master.pid!).includes("for pa x2; pb,pc x1"),
      `the master's title to name both groups (it is "${commandLine(master.pid!)}")`,
    );
    assert.match(commandLine(master.pid!), /^resque-0\.1\.0: Master of 3 workers \(/);

    const cli = spawnCli(["workers", "--json"], { REDIS_URL: redis.server().url, RESQUE_NAMESPACE: resque.db.keys.namespace });
    let json = "";
    cli.stdout?.on("data", (d: Buffer) => (json += d.toString()));
    assert.equal(await closed(cli), 0);
    const listed = (JSON.parse(json) as Array<{ pid: number | string; queues: string[] }>)
      .map((w) => [Number(w.pid), w.queues.join(",")] as [number, string])
      .sort((a, b) => a[1].localeCompare(b[1]) || a[0] - b[0]);
    assert.deepEqual(listed, workers);

    await quit(resque, master);
    assert.deepEqual(await resque.stats(), { processed: 3, failed: 0 });
  });

  it("RESQUE_POOL_CONFIG: merges the environment section RACK_ENV names over the defaults", async () => {
    const resque = redis.open("pool-env");
    const file = poolFile(`"pdefault": 0\nproduction:\n  "pe": 1\ndevelopment:\n  "pdev": 1\n`);
    const { master, reportKey } = startPool(resque, file.path, { RACK_ENV: "production" }, true);
    const [[pe]] = (await settleOn(resque, ["pe"])) as [[number, string]];
    await resque.enqueueTo("pe", "WhoAmI", "e");
    assert.equal(await ranBy(resque, reportKey, "e"), pe);
    assert.deepEqual(childrenOf(master.pid!), [pe], "no process for the development section or a group of 0");
    await quit(resque, master);
  });

  it("HUP re-reads the file: a smaller group retires its surplus, a new group starts, a broken file changes nothing", async () => {
    const resque = redis.open("pool-hup");
    const file = poolFile(`"pa": 2\n`);
    const { master, reportKey, output } = startPool(resque, file.path);
    const before = pidsFor(await settleOn(resque, ["pa", "pa"]), "pa");

    file.write(`"pa": 1\n"pd": 1\n`);
    process.kill(master.pid!, "SIGHUP");
    const reloaded = await settleOn(resque, ["pa", "pd"]);
    const [kept] = pidsFor(reloaded, "pa");
    const [pd] = pidsFor(reloaded, "pd");
    assert.ok(before.includes(kept!), "the pa process that stays is one of the two that ran before");
    assert.ok(!before.includes(pd!), "pd runs in a new process");
    const retired = before.find((pid) => pid !== kept)!;
    await eventually(() => processGone(retired), "the surplus pa process to exit");
    await eventually(() => childrenOf(master.pid!).length === 2 || undefined, "the master to have reaped the surplus process");
    assert.deepEqual(
      childrenOf(master.pid!),
      [kept!, pd!].sort((a, b) => a - b),
      "the surplus was not replaced",
    );

    await resque.enqueueTo("pd", "WhoAmI", "d");
    assert.equal(await ranBy(resque, reportKey, "d"), pd);
    await eventually(
      () => commandLine(master.pid!).includes("for pa x1; pd x1"),
      `the master's title to name the new groups (it is "${commandLine(master.pid!)}")`,
    );

    file.write(`pa: [1\n`);
    process.kill(master.pid!, "SIGHUP");
    await eventually(() => /HUP: kept the running groups.*resque-pool\.yml/.test(output()), "the master to log the bad file");
    assert.equal(master.exitCode, null, "the master stays up");
    await resque.enqueueTo("pa", "WhoAmI", "after-bad-hup");
    assert.equal(await ranBy(resque, reportKey, "after-bad-hup"), kept);
    assert.deepEqual(await registered(resque), reloaded, "the same processes are registered");
    assert.deepEqual(
      childrenOf(master.pid!),
      [kept!, pd!].sort((a, b) => a - b),
      "and no others were started",
    );

    await quit(resque, master);
    assert.deepEqual(await resque.stats(), { processed: 2, failed: 0 });
  });

  for (const [label, text] of [
    ["is not valid YAML", "pa: [1\n"],
    ["names no groups", "production:\n  pe: 1\n"],
  ] as const) {
    it(`exits 1 at start, naming the file, when the pool file ${label}`, async () => {
      const resque = redis.open("pool-bad");
      const file = poolFile(text);
      const { master, output } = startPool(resque, file.path);
      assert.equal(await closed(master), 1);
      assert.ok(output().includes(file.path), `the message names ${file.path}: ${output()}`);
      assert.deepEqual(await resque.db.redis.smembers(resque.db.keys.workers), []);
    });
  }

  it("exits 1 at start, naming the file, when the pool file is missing", async () => {
    const resque = redis.open("pool-missing");
    const path = join(mkdtempSync(join(tmpdir(), "resque-test-pool-")), "missing.yml");
    dirs.push(join(path, ".."));
    const { master, output } = startPool(resque, path);
    assert.equal(await closed(master), 1);
    assert.match(output(), new RegExp(`Cannot read the pool file ${path.replaceAll(".", "\\.")}`));
  });
});
