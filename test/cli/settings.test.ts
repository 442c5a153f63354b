// The settings table (src/settings/) is the one source of every setting: each row must be reachable
// by each of its variables and by its flag (alike), be handed by a master to its worker processes,
// show its variables and default in its help line, and match the README's table of variables.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseArgs, type ArgsDef } from "citty";
import { webCommand } from "../../src/cli/commands/web.ts";
import { schedulerArgs } from "../../src/cli/commands/scheduler.ts";
import { commonArgs } from "../../src/cli/kit/context.ts";
import { connectOptionsFrom, locationFrom } from "../../src/cli/kit/redis-options.ts";
import { schedulerSettings } from "../../src/cli/roles/scheduler-settings.ts";
import { flagsFrom, forkArg, WORKER_ENV, workArgs } from "../../src/cli/roles/worker-setup.ts";
import type { Runtime } from "../../src/runtime/types.ts";
import { CONNECTION_SETTINGS } from "../../src/settings/connection.ts";
import type { Role, Setting } from "../../src/settings/setting.ts";
import { SETTINGS, settingsOf } from "../../src/settings/table.ts";
import { WEB_SETTINGS } from "../../src/settings/web.ts";
import { WORK_SETTINGS } from "../../src/settings/work.ts";
import { DEFAULT_TIMEOUT_MS } from "../../src/store/connection.ts";
import { workerSettings } from "../../src/worker/config.ts";
import { DEFAULT_RECOVERY } from "../../src/worker/recover.ts";
import { useRedis } from "../support/fixture.ts";
import { commandLine, eventually, spawnCli } from "../support/spawn-cli.ts";

type Env = Record<string, string | undefined>;

const dir = mkdtempSync(join(tmpdir(), "resque-settings-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** A value each row accepts that differs from its default. */
function sample(row: Setting): string {
  if (row === WORK_SETTINGS.schedule) return file("schedule.json", "{}");
  if (row.env[0]!.startsWith("REDIS_TLS_")) return file(`${row.env[0]}.pem`, `${row.env[0]}\n`);
  if (row.kind === "number" || row.kind === "integer") return String((row.min ?? 0) + 7);
  if (row.kind === "set" || row.kind === "truthy") return "1";
  if (row.kind === "choice") return row.choices!.at(-1)!;
  if (row.kind === "list") return "a.ts,b.ts";
  return "x";
}

/** The argv that gives the row's flag that value. */
function argvOf(row: Setting, value: string): string[] {
  if (row.negated !== undefined) return [`--no-${row.flag}`];
  return row.kind === "set" || row.kind === "truthy" ? [`--${row.flag}`] : [`--${row.flag}=${value}`];
}

/** A client certificate needs its key: a row of the pair is given with the other. */
const companion = (row: Setting): Setting | undefined =>
  row === CONNECTION_SETTINGS.tlsCert
    ? CONNECTION_SETTINGS.tlsKey
    : row === CONNECTION_SETTINGS.tlsKey
      ? CONNECTION_SETTINGS.tlsCert
      : undefined;

const outcome = (read: () => unknown): unknown => {
  try {
    return read();
  } catch (error) {
    return { error: (error as Error).message };
  }
};

/** What each role makes of argv and env: the readers the commands call. */
const readers: Record<Role, ((argv: string[], env: Env) => unknown)[]> = {
  master: [
    (argv, env) => workerSettings({ QUEUE: "base", ...env }, flagsFrom(parseArgs(argv, { ...workArgs, ...forkArg } as ArgsDef))),
    (argv, env) => connectOptionsFrom((name) => env[name], parseArgs(argv, workArgs as ArgsDef)),
  ],
  worker: [
    (argv, env) => workerSettings({ QUEUE: "base", ...env }, flagsFrom(parseArgs(argv, workArgs as ArgsDef))),
    (argv, env) => connectOptionsFrom((name) => env[name], parseArgs(argv, workArgs as ArgsDef)),
  ],
  scheduler: [
    (argv, env) => schedulerSettings({ env: (name: string) => env[name] } as Runtime, parseArgs(argv, schedulerArgs as ArgsDef)),
    (argv, env) => connectOptionsFrom((name) => env[name], parseArgs(argv, schedulerArgs as ArgsDef)),
  ],
  command: [
    (argv, env) => connectOptionsFrom((name) => env[name], parseArgs(argv, commonArgs as ArgsDef)),
    (argv, env) => locationFrom((name) => env[name], parseArgs(argv, commonArgs as ArgsDef) as { redis?: string; namespace?: string }),
  ],
  web: [],
};

after(() => rmSync(dir, { recursive: true, force: true }));

describe("settings: one table", () => {
  it("every row has a variable, and its help line names its variables and its default", () => {
    for (const row of SETTINGS) {
      assert.ok(row.env.length > 0, `${row.help}: no variable`);
      for (const name of row.env) assert.ok(row.help.includes(name) || row.negated?.includes(name), `${row.help} does not name ${name}`);
      const shown = row.defaultText ?? row.default;
      if (row.kind !== "set" && shown !== undefined && shown !== "")
        assert.ok(row.help.includes(`default ${shown}`), `${row.help} does not say "default ${shown}"`);
    }
  });

  it("the defaults agree with the code that applies them outside the table", () => {
    assert.equal(WORK_SETTINGS.recoveryLimit.default, DEFAULT_RECOVERY.limit);
    assert.equal(WORK_SETTINGS.fetch.default, DEFAULT_RECOVERY.mode);
    assert.equal(CONNECTION_SETTINGS.redisTimeout.default * 1000, DEFAULT_TIMEOUT_MS);
    const defaults = workerSettings({ QUEUE: "q" });
    assert.equal(defaults.threads, WORK_SETTINGS.threads.default);
    assert.equal(defaults.jobsPerFork, WORK_SETTINGS.jobsPerFork.default);
  });

  it("each command offers the flag of every row of its roles, with the row's help", () => {
    const offered: [Role[], ArgsDef, string][] = [
      [["master", "worker"], { ...workArgs, ...forkArg } as ArgsDef, "work"],
      [["scheduler"], schedulerArgs as ArgsDef, "scheduler"],
      [["web"], webCommand.args as ArgsDef, "web"],
      [["command"], commonArgs as ArgsDef, "queues"],
    ];
    for (const [roles, args, command] of offered) {
      for (const row of settingsOf(...roles)) {
        if (row.flag === null) continue;
        const def = args[row.flag] as { description?: string; negativeDescription?: string } | undefined;
        assert.ok(def, `resque ${command} has no --${row.flag} (${row.env.join(" / ")})`);
        if (row.negated) assert.equal(def.negativeDescription, row.negated);
        else assert.equal(def.description, row.helpIn?.[command] ?? row.help);
      }
    }
    assert.deepEqual(
      Object.keys(webCommand.args ?? {}).filter((f) => Object.values(WEB_SETTINGS).some((r) => r.flag === f)),
      ["auth", "token"],
    );
  });

  it("every row is reachable by each of its variables and by its flag, alike, and changes what its roles read", () => {
    for (const row of SETTINGS) {
      const roleReaders = row.roles.flatMap((role) => readers[role]);
      // web's auth and token are read in `resque web`'s run itself (RESQUE_WEB_AUTH: test/web/host.test.ts); their flags are checked above.
      if (roleReaders.length === 0) continue;
      const value = sample(row);
      const other = companion(row);
      const otherValue = other && sample(other);
      const baseline = roleReaders.map((read) => outcome(() => read([], {})));
      const byFlag = roleReaders.map((read) =>
        outcome(() => read(row.flag === null ? [] : [...argvOf(row, value), ...(other ? argvOf(other, otherValue!) : [])], {})),
      );
      for (const name of row.env) {
        const env: Env = { [name]: value, ...(other && { [other.env[0]!]: otherValue }) };
        const byEnv = roleReaders.map((read) => outcome(() => read([], env)));
        assert.notDeepEqual(byEnv, baseline, `${name}=${value} changes nothing its roles (${row.roles.join(", ")}) read`);
        if (row.flag !== null) assert.deepEqual(byFlag, byEnv, `--${row.flag} and ${name} disagree`);
      }
    }
  });

  it("a flag wins over its variable, and a bad value is refused naming the setting", () => {
    const flags = flagsFrom(parseArgs(["--threads=3"], workArgs as ArgsDef));
    assert.equal(workerSettings({ QUEUE: "q", THREAD_COUNT: "5" }, flags).threads, 3);
    assert.equal(workerSettings({ QUEUES: "first", QUEUE: "second" }).queues, "first");
    assert.throws(() => workerSettings({ QUEUE: "q", THREAD_COUNT: "0" }), /THREAD_COUNT must be a number >= 1, got "0"\./);
    assert.throws(() => workerSettings({ QUEUE: "q" }, { workers: "x" }), /WORKER_COUNT must be a number >= 1, got "x"\./);
    assert.throws(() => workerSettings({ QUEUE: "q", FETCH: "sometimes" }), /FETCH must be "reliable"/);
  });

  it("a master hands its worker processes every variable of a worker setting", () => {
    for (const row of settingsOf("worker", "master"))
      for (const name of row.env) assert.ok(WORKER_ENV.includes(name), `${name} is not handed to worker processes`);
  });

  it("the README's table of variables lists work's settings, with their flags and defaults", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Environment variables (`resque work`)"));
    const lines = section.split("\n").filter((l) => l.startsWith("| `"));
    const end = section.indexOf("\n\n", section.indexOf("| variable |"));
    const rows = lines.filter((l) => section.indexOf(l) < end);
    const rowOf = (name: string) => SETTINGS.find((s) => s.env.includes(name) && s.roles.some((r) => r === "master" || r === "worker"));
    const listed = new Set<Setting>();
    for (const line of rows) {
      const [vars = "", flagText = "", , shown = ""] = line
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim());
      const names = [...vars.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!);
      const settingRows = [...new Set(names.map((n) => rowOf(n) ?? assert.fail(`README names ${n}, which work does not read`)))];
      for (const row of settingRows) {
        assert.deepEqual(names.filter((n) => row.env.includes(n)).sort(), [...row.env].sort(), `README row "${vars}"`);
        listed.add(row);
      }
      const flags = [...flagText.matchAll(/`--([a-z-]+)`/g)].map((m) => m[1]!);
      const expected = settingRows.flatMap((r) => (r.flag === null ? [] : [r.negated ? `no-${r.flag}` : r.flag]));
      assert.deepEqual(flags.sort(), expected.sort(), `README row "${vars}": flags`);
      const defaults = settingRows.map((r) =>
        r.required
          ? "required"
          : (r.defaultText ??
            (r.kind === "set" ? "off" : typeof r.default === "string" && r.default !== "" ? `\`${r.default}\`` : String(r.default ?? ""))),
      );
      const wanted = new Set(defaults).size === 1 ? defaults[0] : defaults.join(", ");
      assert.equal(shown, wanted, `README row "${vars}": default`);
    }
    for (const row of settingsOf("master", "worker")) assert.ok(listed.has(row), `README's table lacks ${row.env.join(" / ")}`);
  });
});

describe("settings: a variable set on the master reaches a worker process", () => {
  const redis = useRedis();

  it("the worker process sees every worker variable and resolves its options from them", async () => {
    const resque = redis.open("settings-env");
    const { namespace } = resque.db.keys;
    const url = redis.server().url;
    const report = `${namespace}:report`;
    // Every variable a worker process reads (TLS files would turn TLS on against this plain Redis).
    const given: Record<string, string> = {
      QUEUE: "probe",
      QUEUES: "probe",
      RESQUE_REQUIRE: "test/fixtures/settings-jobs.ts",
      REDIS_URL: url,
      RESQUE_NAMESPACE: namespace,
      THREAD_COUNT: "2",
      MAX_WORKER_RSS: "4096",
      JOBS_PER_FORK: "1000",
      INTERVAL: "0.5",
      MIN_INTERVAL: "0.1",
      MAX_INTERVAL: "0.5",
      BACKOFF_INTERVAL: "0.1",
      RESQUE_PROCLINE_PREFIX: "settings-probe",
      FETCH: "reliable",
      RECOVERY_LIMIT: "4",
      // 0 (off): this Redis has no replica to wait for.
      DURABLE_ACK: "0",
      JOB_TIMEOUT: "600",
      VERBOSE: "1",
      LOGGING: "1",
      VVERBOSE: "1",
      RESQUE_HEARTBEAT_INTERVAL: "30",
      RESQUE_PRUNE_INTERVAL: "150",
      REDIS_TIMEOUT: "5",
    };
    const tls = new Set(["REDIS_TLS_CA", "REDIS_TLS_CERT", "REDIS_TLS_KEY"]);
    for (const row of settingsOf("worker"))
      for (const name of row.env) assert.ok(name in given || tls.has(name), `this test does not set ${name}; add it`);
    await resque.db.redis.set(`${report}:hold`, "1");
    await resque.enqueueTo("probe", "SettingsProbe", Object.keys(given));
    const child = spawnCli(["work"], { ...given, TEST_REPORT_URL: url, TEST_REPORT_KEY: report });
    // VVERBOSE logs a lot; read it so the pipe never fills.
    child.stdout?.resume();
    child.stderr?.resume();
    try {
      const [line] = await eventually(async () => {
        const got = await resque.db.redis.lrange(report, 0, -1);
        return got.length > 0 && got;
      }, "the probe job to report");
      const seen = JSON.parse(line!) as { pid: number; env: Record<string, string | null> };
      assert.notEqual(seen.pid, child.pid, "the job ran in a worker process, not in the master");
      assert.deepEqual(seen.env, given);
      // The worker process resolved its options from them: its title carries the prefix.
      await eventually(() => commandLine(seen.pid).startsWith("settings-probe"), "the worker process's title to carry its prefix");
    } finally {
      await resque.db.redis.del(`${report}:hold`);
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    }
  });
});
