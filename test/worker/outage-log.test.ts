// A long-running process that cannot use Redis says so in one line and retries with backoff. A
// wrong password used to crash every worker process at once (the handshake's error rejected the
// commands waiting to be sent), and each restart printed four warning blocks padded with blank lines.
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { openDb } from "../../src/store/connection.ts";
import { eventually, exited, killSpawned, spawnCli } from "../support/spawn-cli.ts";

const PASSWORD = "right-password-5d1c";
const WRONG = `wrong-${PASSWORD}`;

let server: TestRedis;
before(async () => {
  server = await startRedis({ password: PASSWORD });
});
after(async () => {
  killSpawned();
  await server?.stop();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const urlWith = (password: string) => `redis://:${password}@127.0.0.1:${server.port}/0`;

describe("a wrong Redis password", () => {
  it("a waiting client's commands wait through the refused handshakes, and go once the password is right", async () => {
    const db = openDb({ redis: urlWith(WRONG), outage: "wait" });
    try {
      let settled: string | undefined;
      const ping = db.redis.ping().then(
        (reply) => (settled = reply),
        (error: Error) => (settled = `rejected: ${error.message}`),
      );
      // Several refused handshakes (the backoff starts at 100 ms).
      await sleep(1500);
      assert.equal(settled, undefined, "still waiting, not failed with WRONGPASS");
      await server.client.config("SET", "requirepass", WRONG);
      await ping;
      assert.equal(settled, "PONG");
    } finally {
      await server.client.config("SET", "requirepass", PASSWORD);
      db.redis.disconnect();
    }
  });

  it("resque work: one line for the whole master, no restarts, and it works once the password is right", async () => {
    const namespace = uniqueNamespace("password");
    const reportKey = `${namespace}:report`;
    const child = spawnCli(["work", "--require", "test/fixtures/jobs.ts"], {
      REDIS_URL: urlWith(WRONG),
      RESQUE_NAMESPACE: namespace,
      QUEUE: "pw",
      INTERVAL: "0.1",
      WORKER_COUNT: "2",
      RESQUE_SCHEDULER: "1",
      TEST_REPORT_URL: urlWith(WRONG),
      TEST_REPORT_KEY: reportKey,
    });
    let log = "";
    child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    let resque: Resque | undefined;
    try {
      await eventually(() => /refused authentication/.test(log), "the advice", 1200);
      // A few seconds of refused handshakes: the old code restarted the worker processes meanwhile, four blocks each time.
      await sleep(4000);
      // The start-up line naming the job classes it runs is not about Redis.
      const lines = log.split("\n").filter((line) => line.trim() !== "" && !/Runs \d+ job class(es)? from /.test(line));
      assert.equal(lines.length, 1, `one line, not one per process or per attempt:\n${log}`);
      assert.match(lines[0]!, /refused authentication .*check the user and password in --redis \/ REDIS_URL\. Retrying with backoff\.$/);
      assert.ok(!/\n\s*\n/.test(log) && !log.startsWith("\n"), `no blank lines:\n${JSON.stringify(log)}`);
      assert.ok(!log.includes(PASSWORD), "the password is not printed");

      // The password the processes have becomes the right one: they carry on, with no restart in between.
      await server.client.config("SET", "requirepass", WRONG);
      const client = (resque = new Resque({ redis: urlWith(WRONG), namespace }));
      await client.enqueueTo("pw", "Quick", "after");
      await eventually(async () => (await client.db.redis.lrange(reportKey, 0, -1)).includes("done after"), "the job to run", 1200);
      await eventually(() => /Redis is back/.test(log), "the 'back' line", 1200);
      assert.doesNotMatch(log, /ended|died|Could not recover/, `no worker process ended:\n${log}`);
      process.kill(child.pid!, "SIGTERM");
      assert.equal(await exited(child), 0, log);
    } finally {
      await server.client.config("SET", "requirepass", PASSWORD);
      await resque?.close();
    }
  });
});
