// Reaching Redis: a silent server, a wrong password and TLS (private CA, client certificates)
// each end in an exit code and a message that is the advice; the CLI through spawnCli.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, uniqueNamespace, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { Resque } from "../../src/client/resque.ts";
import { openDb } from "../../src/store/connection.ts";
import { eventually, exited, killSpawned, spawnCli } from "../support/spawn-cli.ts";
import { startSilentServer, type SilentServer } from "../support/silent-server.ts";

const PASSWORD = "pw-7f3a9c-secret";

let dir = "";
let silent: SilentServer | undefined;
let silentPort = 0;
let authRedis: TestRedis;
let tlsRedis: TestRedis;

/** A private CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(into: string): void {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: into, stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=resque test CA");
  writeFileSync(join(into, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const name of ["server", "client"]) {
    ssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=resque test ${name}`);
    const ext = name === "server" ? ["-extfile", "server.ext"] : [];
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      ...ext,
    );
  }
}

const file = (name: string) => join(dir, name);

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawnCli(args, env);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const code = await exited(child);
  return { code, out, err };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "resque-test-tls-"));
  makeCertificates(dir);
  silent = await startSilentServer();
  silentPort = silent.port;
  authRedis = await startRedis({ password: PASSWORD });
  // The plain port stays open for the test's own client and the jobs' reports.
  tlsRedis = await startRedis({
    tls: { certFile: file("server.crt"), keyFile: file("server.key"), caFile: file("ca.crt"), authClients: true },
  });
});

after(async () => {
  killSpawned();
  await silent?.close();
  await authRedis?.stop();
  await tlsRedis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("connecting to Redis", () => {
  it("a server that accepts and never answers: stats and enqueue exit 2 with advice", async () => {
    const url = `redis://127.0.0.1:${silentPort}/0`;
    for (const args of [["stats"], ["enqueue", "Foo", "1", "--queue", "q"]]) {
      const result = await run([...args, "--redis", url, "--redis-timeout", "0.5"]);
      assert.equal(result.code, 2, `${args[0]}: ${result.err}`);
      assert.match(
        result.err,
        new RegExp(`Redis at 127\\.0\\.0\\.1:${silentPort} accepted the connection but did not answer within 0\\.5 s`),
      );
      assert.match(result.err, /REDIS_TIMEOUT \/ --redis-timeout/);
    }
    const viaEnv = await run(["stats"], { REDIS_URL: url, REDIS_TIMEOUT: "0.5" });
    assert.equal(viaEnv.code, 2, viaEnv.err);
    assert.match(viaEnv.err, /did not answer within 0\.5 s/);
  });

  it("a bad --redis-timeout is a user error with advice", async () => {
    const result = await run(["stats", "--redis-timeout", "soon"]);
    assert.equal(result.code, 1, result.err);
    assert.match(result.err, /--redis-timeout "soon" is not a timeout: give seconds above 0/);
  });

  it("a wrong or missing password: exit 2, 'authentication failed', and the password never shown", async () => {
    const address = `127.0.0.1:${authRedis.port}`;
    const wrong = await run(["stats", "--redis", `redis://:not-${PASSWORD}@${address}/0`]);
    assert.equal(wrong.code, 2, wrong.err);
    assert.match(wrong.err, new RegExp(`Redis at ${address.replaceAll(".", "\\.")} refused authentication \\(WRONGPASS`));
    assert.match(wrong.err, /authentication failed; check the user and password in --redis \/ REDIS_URL/);
    assert.ok(!wrong.err.includes(PASSWORD) && !wrong.out.includes(PASSWORD), "the password is not printed");
    const missing = await run(["enqueue", "Foo", "1", "--queue", "q"], { REDIS_URL: `redis://${address}/0` });
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /requires a password \(NOAUTH\): authentication failed/);
    const right = await run(["stats", "--json"], { REDIS_URL: authRedis.url });
    assert.equal(right.code, 0, right.err);
  });

  it("TLS with a private CA and a client certificate, by flags and by env", async () => {
    const url = `rediss://127.0.0.1:${tlsRedis.tlsPort}/0`;
    const byFlags = await run([
      "stats",
      "--json",
      "--redis",
      url,
      "--tls-ca",
      file("ca.crt"),
      "--tls-cert",
      file("client.crt"),
      "--tls-key",
      file("client.key"),
    ]);
    assert.equal(byFlags.code, 0, byFlags.err);
    assert.equal(typeof JSON.parse(byFlags.out).pending, "number");
    const byEnv = await run(["stats", "--json"], {
      REDIS_URL: url,
      REDIS_TLS_CA: file("ca.crt"),
      REDIS_TLS_CERT: file("client.crt"),
      REDIS_TLS_KEY: file("client.key"),
    });
    assert.equal(byEnv.code, 0, byEnv.err);
    assert.equal(typeof JSON.parse(byEnv.out).pending, "number");
  });

  it("TLS without the client certificate, or without the CA: exit 2 naming the problem and the flags", async () => {
    const url = `rediss://127.0.0.1:${tlsRedis.tlsPort}/0`;
    const noCert = await run(["stats", "--redis", url, "--tls-ca", file("ca.crt")]);
    assert.equal(noCert.code, 2, noCert.err);
    assert.match(noCert.err, /TLS[^]*client certificate[^]*--tls-cert and --tls-key/);
    const noCa = await run(["stats", "--redis", url, "--tls-cert", file("client.crt"), "--tls-key", file("client.key")]);
    assert.equal(noCa.code, 2, noCa.err);
    assert.match(noCa.err, /TLS certificate that could not be verified[^]*--tls-ca/);
  });

  it("an unreadable --tls-ca exits 1 naming the flag, the env var and the path", async () => {
    const missing = join(dir, "no-such-ca.crt");
    const result = await run(["stats", "--redis", `rediss://127.0.0.1:${tlsRedis.tlsPort}/0`, "--tls-ca", missing]);
    assert.equal(result.code, 1, result.err);
    assert.ok(result.err.includes(missing), result.err);
    assert.match(result.err, /--tls-ca \(REDIS_TLS_CA\)/);
  });

  it("wait mode: a reply that does not come rejects, the outage is reported, and the client carries on", async () => {
    const messages: (string | undefined)[] = [];
    const db = openDb({ redis: authRedis.url, outage: "wait", timeoutMs: 250, onOutage: (m) => messages.push(m) });
    const blocker = new Redis(authRedis.url);
    try {
      assert.equal(await db.redis.ping(), "PONG");
      // A script that keeps the server busy for 1.5 s: every other client hears nothing meanwhile.
      const busy = blocker.eval(
        "local t = redis.call('TIME') local s = t[1] * 1e6 + t[2] repeat local n = redis.call('TIME') until n[1] * 1e6 + n[2] - s > 1500000 return 1",
        0,
      );
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(db.redis.get("anything"), /closed before it replied/);
      await busy;
      assert.match(String(messages[0]), /accepted the connection but did not answer within 0\.25 s/);
      assert.equal(await db.redis.ping(), "PONG", "reconnected after the server answered again");
      await eventually(() => messages.length >= 2, "the 'back' report");
      assert.equal(messages[1], undefined);
    } finally {
      db.redis.disconnect();
      blocker.disconnect();
    }
  });

  // Depends on the lead's wiring of `resque work` (src/cli/roles/worker-setup.ts) to connectOptionsFrom:
  // until then the worker cannot verify the server and this test gives up waiting for the job.
  it("resque work processes a job over TLS with a client certificate (needs worker-setup wiring)", async () => {
    const namespace = uniqueNamespace("tls-work");
    const reportKey = `${namespace}:report`;
    const resque = new Resque({ redis: tlsRedis.url, namespace });
    try {
      await resque.enqueueTo("tlsq", "Quick", "over-tls");
      const child = spawnCli(["work", "--require", "test/fixtures/jobs.ts"], {
        QUEUE: "tlsq",
        INTERVAL: "0",
        REDIS_URL: `rediss://127.0.0.1:${tlsRedis.tlsPort}/0`,
        REDIS_TLS_CA: file("ca.crt"),
        REDIS_TLS_CERT: file("client.crt"),
        REDIS_TLS_KEY: file("client.key"),
        RESQUE_NAMESPACE: namespace,
        TEST_REPORT_URL: tlsRedis.url,
        TEST_REPORT_KEY: reportKey,
      });
      let err = "";
      child.stderr?.on("data", (d) => (err += d));
      try {
        await eventually(
          async () => (await tlsRedis.client.lrange(reportKey, 0, -1)).includes("done over-tls"),
          "the job to run over TLS",
        ).catch((e) => {
          throw new Error(`${(e as Error).message}; worker said: ${err.trim()}`);
        });
        assert.equal(await exited(child), 0, err);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    } finally {
      resque.db.redis.disconnect();
    }
  });
});
