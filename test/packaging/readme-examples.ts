/**
 * The README's blocks past the Quickstart (Jobs, Delayed jobs, Recurring schedules, Automatic
 * retries, ActiveJob, Pools, the dashboard), run by readme.test.ts in the app its Quickstart made
 * (no second pack), on Node only (Node 20 with tsx, the Quickstart's setup) to keep the time down,
 * plus the binary where a block shows it. Each marker says how its block runs:
 *   `file PATH`: written into the app as it stands (a jobs module, a YAML file).
 *   `file PATH, after PRELUDE` / `snippet PATH, after PRELUDE`: a fragment that uses names the
 *     README defines elsewhere; PRELUDES below supplies them, then the block's text verbatim
 *     (a snippet also closes its `resque` at the end). The preludes are written out in full here,
 *     so what a fragment assumes is visible.
 *   other names (`scheduler`, `schedule commands`, `web`): shell lines, run with the app's
 *     node_modules/.bin on PATH (what `npx` does), long-running ones started, seen doing their job
 *     and stopped with TERM.
 * Every TypeScript file is type-checked with `tsc --init`'s settings against the package's .d.ts,
 * and every outcome is read back from the private Redis.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { it } from "node:test";
import type { TestRedis } from "../../scripts/lib/redis-server.ts";
import { bin, readmeBlock, root, run, startLong, waitFor, type Env } from "./support.ts";

/** What the Quickstart left: the app's folder, the environment its commands ran with, the Redis. */
export interface QuickstartApp {
  dir: string;
  env: Env;
  redis: TestRedis;
}

/** Code a fragment assumes, by the name its marker gives after ", after ". */
export const PRELUDES: Record<string, string> = {
  "a resque": [
    `import { Resque, RubySymbol, keywords } from "resque-ts";`,
    `const resque = await new Resque({ redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0" }).connect();`,
    "",
  ].join("\n"),
  "a resque and the Quickstart's jobs": [
    `import { Resque } from "resque-ts";`,
    `import { archive } from "./jobs.ts";`,
    `const resque = await new Resque({ redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0" }).connect();`,
    "",
  ].join("\n"),
  "an import of defineJob": `import { defineJob } from "resque-ts";\n`,
  "an archiveRecord stub": [
    "// The README leaves archiveRecord to the app; this one says what it was given.",
    "async function archiveRecord(id: number, compress: boolean, meta: { jobId: string }): Promise<void> {",
    '  console.log(`archived ${id}${compress ? ", compressed" : ""} for job ${meta.jobId}`);',
    "}",
    "",
  ].join("\n"),
};

/** The markers these tests run (readme.test.ts checks each is in the README, and nothing else is unrun). */
export const EXAMPLE_MARKERS = [
  "file report.ts, after an import of defineJob",
  "snippet delayed.ts, after a resque and the Quickstart's jobs",
  "file config/schedule.yml",
  "scheduler",
  "snippet schedules.ts, after a resque",
  "schedule commands",
  "file deliver.ts",
  "file archive-job.ts, after an archiveRecord stub",
  "snippet active-job.ts, after a resque",
  "file resque-pool.yml",
  "web",
];

/** A `file`/`snippet` marker's path and text in the app: its prelude, then the block verbatim. */
function exampleFile(marker: string): { path: string; text: string } {
  const match = /^(file|snippet) (\S+?)(?:, after (.+))?$/.exec(marker);
  assert.ok(match, `${marker} names a file`);
  const [, kind, path, preludeName] = match;
  const prelude = preludeName === undefined ? "" : PRELUDES[preludeName];
  assert.ok(prelude !== undefined, `no prelude "${preludeName}" for <!-- readme-test: ${marker} -->`);
  const text = `${prelude}${readmeBlock(marker)}${kind === "snippet" ? "await resque.close();\n" : ""}`;
  return { path: path!, text };
}

/** A payload as its JSON reads, for comparing what a queue holds. */
const parse = (items: string[]) => items.map((item) => JSON.parse(item) as { class: string; args: unknown[] });

/** Registers the tests; `app()` is read when they run, after the Quickstart's tests made the app. */
export function exampleTests(app: () => QuickstartApp): void {
  let dir: string;
  let env: Env;
  let redis: TestRedis;
  const cli = (args: string) => run("bash", ["-euo", "pipefail", "-c", args], { cwd: dir, env });
  const tsx = (file: string) => run("npx", ["tsx", file], { cwd: dir, env });

  let files: { path: string; text: string }[] | undefined;
  /** The app, its environment and the example files in it; done once, by whichever test runs first. */
  function setUp(): void {
    if (files) return;
    ({ dir, env, redis } = app());
    assert.ok(
      dir && existsSync(join(dir, "node_modules/resque-ts")),
      `the Quickstart's app is not there (${dir}): its tests failed or did not run`,
    );
    // Bare `resque` as npx finds it: the app's own node_modules/.bin first. No settings from the
    // caller's environment that would change what the lines do (RAILS_ENV picks schedule entries).
    env = { ...env, PATH: `${join(dir, "node_modules/.bin")}:${env["PATH"]}` };
    for (const name of [
      "RAILS_ENV",
      "RACK_ENV",
      "RESQUE_ENV",
      "RESQUE_SCHEDULE",
      "DYNAMIC_SCHEDULE",
      "RESQUE_POOL_CONFIG",
      "RESQUE_WEB_AUTH",
      "RESQUE_WEB_TOKEN",
      "PASS",
    ])
      delete env[name];
    files = EXAMPLE_MARKERS.filter((marker) => /^(file|snippet) /.test(marker)).map(exampleFile);
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.text);
    }
  }
  /** A test that first sets up (a test run alone by name still finds its files). */
  const example = (name: string, body: () => Promise<void>) =>
    it(name, async () => {
      setUp();
      await body();
    });

  example("Examples: every TypeScript block type-checks in the app with tsc --init's settings", async () => {
    // tsc --init's settings, as the Install section says; the Quickstart's `.ts` imports need
    // allowImportingTsExtensions with noEmit (its own note), and `process` needs @types/node.
    mkdirSync(join(dir, "typecheck"), { recursive: true });
    run(bin("tsc"), ["--init"], { cwd: join(dir, "typecheck"), env });
    const checked = ["jobs.ts", "enqueue.ts", ...files!.map((file) => file.path).filter((path) => path.endsWith(".ts"))];
    writeFileSync(
      join(dir, "tsconfig.readme.json"),
      JSON.stringify({
        extends: "./typecheck/tsconfig.json",
        compilerOptions: { noEmit: true, allowImportingTsExtensions: true, types: ["node"], typeRoots: [`${root}node_modules/@types`] },
        files: checked,
      }),
    );
    run(bin("tsc"), ["-p", "tsconfig.readme.json"], { cwd: dir, env });
  });

  example("Delayed jobs: the snippet delays, removes and finds jobs in resque-scheduler's keys", async () => {
    await redis.client.flushdb();
    tsx("delayed.ts");
    // enqueueAt's date enqueues at once once it is past; enqueueIn's copy (and enqueueAt's, when
    // ahead) are removed by removeDelayed, so enqueueDelayed finds none.
    const at = Date.parse(
      /enqueueAt\(new Date\("([^"]+)"\)/.exec(readmeBlock("snippet delayed.ts, after a resque and the Quickstart's jobs"))![1]!,
    );
    assert.deepEqual(
      parse(await redis.client.lrange("resque:queue:archive", 0, -1)),
      at <= Date.now() ? [{ class: "Archive", args: [42, {}] }] : [],
    );
    assert.equal(await redis.client.zcard("resque:delayed_queue_schedule"), 0);
  });

  example(
    "Recurring schedules: `resque scheduler` with the schedule file leads, promotes a due delayed job, and releases its lock on TERM",
    async () => {
      await redis.client.flushdb();
      // A job due in a second, enqueued by the binary as the `resque` command section shows.
      cli(`./resque-worker enqueue Archive 7 '{}' --queue archive --in 1`);
      assert.equal(await redis.client.zcard("resque:delayed_queue_schedule"), 1);
      const line = readmeBlock("scheduler").trim();
      const scheduler = startLong(line, { cwd: dir, env });
      try {
        // It logs nothing without VERBOSE: what it did is in Redis. A file it cannot read would
        // have stopped it (exit 2) before it led.
        const done = await waitFor(
          async () =>
            (await redis.client.keys("*resque_scheduler_master_lock")).length === 1 &&
            (await redis.client.llen("resque:queue:archive")) === 1,
          () => scheduler.exited(),
          90,
        );
        assert.ok(
          done,
          `\`${line}\` did not lead and promote the job (${scheduler.exited() ? "it exited" : "still waiting after 90 s"}):\n${scheduler.output()}`,
        );
      } finally {
        await scheduler.stop();
      }
      assert.deepEqual(parse(await redis.client.lrange("resque:queue:archive", 0, -1)), [{ class: "Archive", args: [7, {}] }]);
      assert.equal(await redis.client.zcard("resque:delayed_queue_schedule"), 0);
      assert.deepEqual(await redis.client.keys("*resque_scheduler_master_lock"), [], `TERM released the lock:\n${scheduler.output()}`);
    },
  );

  example("Recurring schedules: the setSchedule snippet stores, runs now and removes a schedule", async () => {
    await redis.client.flushdb();
    tsx("schedules.ts");
    assert.deepEqual(parse(await redis.client.lrange("resque:queue:mail", 0, -1)), [{ class: "SendEmail", args: ["subject"] }]);
    assert.deepEqual(await redis.client.hkeys("resque:persistent_schedules"), []);
    assert.deepEqual(await redis.client.smembers("resque:schedules_changed"), ["send_emails"], "Ruby's schedulers are told of the change");
  });

  example("Recurring schedules: the `resque schedule` commands add, list, run and remove a schedule", async () => {
    await redis.client.flushdb();
    const output = cli(readmeBlock("schedule commands"));
    assert.match(output, /"send_emails"/, "`schedule list --json` lists it");
    assert.match(output, /"every"/);
    assert.deepEqual(parse(await redis.client.lrange("resque:queue:mail", 0, -1)), [{ class: "SendEmail", args: ["subject"] }]);
    assert.deepEqual(await redis.client.hkeys("resque:persistent_schedules"), []);
  });

  example(
    "Jobs and Automatic retries: report.ts and deliver.ts load in a worker; a 429 is retried through the delayed queue in resque-retry's key",
    async () => {
      await redis.client.flushdb();
      const requests: string[] = [];
      const server: Server = createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        response.writeHead(429).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      try {
        await redis.client.sadd("resque:queues", "webhooks");
        await redis.client.rpush("resque:queue:webhooks", JSON.stringify({ class: "Webhook::Deliver", args: [url] }));
        // Not spawnSync: this process serves the webhook. INTERVAL=0: the worker exits once the queue is empty.
        const line = "QUEUE=webhooks INTERVAL=0 RESQUE_REQUIRE=./deliver.ts,./report.ts resque work";
        const worker = startLong(line, { cwd: dir, env });
        const exited = await waitFor(
          () => worker.exited(),
          () => false,
          90,
        );
        if (!exited) await worker.stop();
        assert.ok(exited, `\`${line}\` did not work the queue and exit:\n${worker.output()}`);
        assert.deepEqual(requests, ["POST /hook"], worker.output());
        const [processed, failed, failures, retryKeys, retryFailures, delayed] = await Promise.all([
          redis.client.get("resque:stat:processed"),
          redis.client.get("resque:stat:failed"),
          redis.client.llen("resque:failed"),
          redis.client.keys("resque:resque-retry:Webhook::Deliver:*"),
          // resque-retry's web tab reads the failure it suppressed here while the retry waits.
          redis.client.keys("resque:failure-resque-retry:Webhook::Deliver:*"),
          redis.client.zrange("resque:delayed_queue_schedule", "0", "-1", "WITHSCORES"),
        ]);
        assert.deepEqual(
          { processed, failed, failures, retryKeys: retryKeys.length, retryFailures: retryFailures.length },
          { processed: "1", failed: "1", failures: 0, retryKeys: 1, retryFailures: 1 },
          worker.output(),
        );
        // backoff's first wait, 10 s, times the jitter's 1 to 1.5.
        const wait = Number(delayed[1]) - Date.now() / 1000;
        assert.ok(
          delayed.length === 2 && wait > 0 && wait <= 16,
          `one retry 10-15 s ahead in the delayed queue: ${JSON.stringify(delayed)}`,
        );
      } finally {
        server.close();
      }
    },
  );

  example("ActiveJob: step 2's job runs a Rails payload (enqueued by the binary's --active-job), with Rails' job id", async () => {
    await redis.client.flushdb();
    const printed = cli(`./resque-worker enqueue --active-job ArchiveJob 42 '{"compress":true}' --queue archive --json`);
    // One run printed more than the JSON (stdout and stderr together): show it when that happens again.
    const enqueued = (() => {
      try {
        return JSON.parse(printed) as { jobId: string };
      } catch {
        return assert.fail(`--json printed more than one JSON document:\n${printed}`);
      }
    })();
    // Step 3's command, with INTERVAL=0 so it exits once the queue is empty.
    const output = cli("INTERVAL=0 resque work --queue archive --require ./archive-job.ts");
    assert.match(output, new RegExp(`archived 42, compressed for job ${enqueued.jobId}`));
    assert.deepEqual(
      [await redis.client.get("resque:stat:processed"), String(await redis.client.llen("resque:failed"))],
      ["1", "0"],
      output,
    );
  });

  example("ActiveJob: step 5's snippet enqueues for Rails workers, now and delayed", async () => {
    await redis.client.flushdb();
    tsx("active-job.ts");
    const queued = parse(await redis.client.lrange("resque:queue:reports", 0, -1));
    const times = await redis.client.zrange("resque:delayed_queue_schedule", "0", "-1");
    const delayed = (await Promise.all(times.map((time) => redis.client.lrange(`resque:delayed:${time}`, 0, -1)))).flat();
    // Three jobs; wait: 3600 is delayed by an hour, waitUntil's date is delayed until it is past.
    assert.equal(queued.length + delayed.length, 3, JSON.stringify({ queued, delayed }));
    assert.ok(
      times.some((time) => Math.abs(Number(time) - (Date.now() / 1000 + 3600)) < 120),
      `one job an hour ahead: ${times.join(", ")}`,
    );
    const first = queued[0] as unknown as { class: string; args: [{ job_class: string; arguments: unknown[] }] };
    assert.equal(first.class, "ActiveJob::QueueAdapters::ResqueAdapter::JobWrapper");
    assert.equal(first.args[0].job_class, "ReportJob");
    assert.deepEqual(first.args[0].arguments, [
      7,
      { format: { _aj_serialized: "ActiveJob::Serializers::SymbolSerializer", value: "pdf" }, _aj_ruby2_keywords: ["format"] },
    ]);
  });

  example("Pools: `resque work --pool resque-pool.yml` starts the file's groups, and stops on TERM", async () => {
    await redis.client.flushdb();
    const line = "resque work --pool resque-pool.yml";
    const pool = startLong(line, { cwd: dir, env });
    const queuesOf = async () => (await redis.client.smembers("resque:workers")).map((id) => id.split(":").slice(2).join(":")).sort();
    try {
      // foo: 1, "bar,baz": 2, imports: 1; the production section is not chosen here.
      const started = await waitFor(
        async () => (await queuesOf()).join(" ") === "bar,baz bar,baz foo imports",
        () => pool.exited(),
        90,
      );
      assert.ok(started, `\`${line}\` did not start the pool's groups (workers: ${(await queuesOf()).join(" ")}):\n${pool.output()}`);
    } finally {
      await pool.stop();
    }
    assert.deepEqual(await queuesOf(), [], "every worker unregistered");
  });

  example("Dashboard: each `resque web` line serves (on a free loopback port) with the access its flags ask for", async () => {
    await redis.client.flushdb();
    // The lines' own $PASS (at least 16 characters, as --auth asks).
    const webEnv = { ...env, PASS: "correct-horse-battery-staple" };
    const lines = readmeBlock("web")
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trim())
      .filter(Boolean);
    assert.ok(lines.length > 0);
    for (const written of lines) {
      // Port 0 picks a free port (the line's own, or 5678, may be taken); the tests listen on
      // loopback only, so 0.0.0.0 becomes 127.0.0.1 (its --auth is still required and checked).
      let line = /--port \d+/.test(written) ? written.replace(/--port \d+/, "--port 0") : `${written} --port 0`;
      line = line.replace("--host 0.0.0.0", "--host 127.0.0.1");
      // xtrace shows the line as bash expanded it: the token `$(openssl rand -hex 16)` made.
      const web = startLong(`set -x; ${line}`, { cwd: dir, env: webEnv });
      try {
        const up = await waitFor(
          () => /Dashboard at (http:\S+\/) /.test(web.output()),
          () => web.exited(),
          60,
        );
        assert.ok(up, `\`${line}\` did not serve:\n${web.output()}`);
        const base = /Dashboard at (http:\S+\/) /.exec(web.output())![1]!;
        const headers: Record<string, string> = {};
        if (/--auth /.test(written)) headers["authorization"] = `Basic ${Buffer.from(`admin:${webEnv.PASS}`).toString("base64")}`;
        const token = /--token (\S+)/.exec(web.output())?.[1];
        if (/--token /.test(written)) {
          assert.ok(token && token.length >= 16, `the token as run:\n${web.output()}`);
          headers["authorization"] = `Bearer ${token}`;
        }
        if (headers["authorization"])
          assert.equal((await fetch(`${base}overview`)).status, 401, `\`${line}\` refuses a request without credentials`);
        const page = await fetch(`${base}overview`, { headers });
        assert.equal(page.status, 200, `\`${line}\`: GET ${base}overview`);
        assert.match(await page.text(), /<html/i);
        const basePath = /--base-path (\S+)/.exec(written)?.[1];
        if (basePath) assert.ok(new URL(base).pathname.startsWith(basePath), `${base} is under ${basePath}`);
        if (/--read-only/.test(written)) {
          const post = await fetch(`${base}failed/clear`, { method: "POST", headers });
          assert.equal(post.status, 403, `\`${line}\` refuses a POST`);
          assert.match(await post.text(), /read-only/, "refused for being read-only, not for a missing CSRF token");
        }
      } finally {
        await web.stop();
      }
    }
  });
}
