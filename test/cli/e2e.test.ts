// End to end across runtimes: enqueue with the CLI under Node, work with the compiled binary and a
// user's jobs module that imports packages from its own node_modules, read stats and the failed list
// with the CLI under Deno, retry the failure and see it processed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { useRedis } from "../support/fixture.ts";

const redis = useRedis();
const root = new URL("../../", import.meta.url).pathname;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

function realBinary(name: "deno" | "bun"): string {
  const script = name === "deno" ? ["eval", "console.log(Deno.execPath())"] : ["-e", "console.log(process.execPath)"];
  return spawnSync(bin(name), script, { encoding: "utf8" }).stdout.trim();
}

/** A user's project: its own node_modules with a package of its own and this library. */
function makeApp(): string {
  const app = mkdtempSync(join(tmpdir(), "resque-e2e-app-"));
  mkdirSync(join(app, "node_modules", "shout"), { recursive: true });
  writeFileSync(join(app, "node_modules", "shout", "package.json"), JSON.stringify({ name: "shout", type: "module", main: "index.js" }));
  writeFileSync(join(app, "node_modules", "shout", "index.js"), "export const shout = (s) => `${String(s).toUpperCase()}!`;\n");
  symlinkSync(root, join(app, "node_modules", "resque-ts"));
  symlinkSync(join(root, "node_modules", "ioredis"), join(app, "node_modules", "ioredis"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  writeFileSync(
    join(app, "jobs.ts"),
    `import { defineJob } from "resque-ts";
import { shout } from "shout";
import { Redis } from "ioredis";
const redis = new Redis(process.env.E2E_REDIS);
export const loud = defineJob("Loud", {
  async perform(text: string) {
    if (await redis.exists("e2e:failing")) throw new Error("failing on purpose: " + text);
    await redis.rpush("e2e:said", shout(text));
  },
});
`,
  );
  return app;
}

const apps: string[] = [];
after(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

describe("end to end across runtimes and the binary", () => {
  it("Node enqueues, the binary works a user's jobs module, Deno inspects and retries", async () => {
    // Always rebuild: a stale binary would test old code.
    assert.equal(spawnSync("node", [`${root}scripts/build.mjs`], { stdio: "ignore" }).status, 0, "the binary builds");
    const app = makeApp();
    apps.push(app);
    const resque = redis.open("e2e");
    const env: Record<string, string | undefined> = {
      ...process.env,
      REDIS_URL: redis.server().url,
      RESQUE_NAMESPACE: resque.db.keys.namespace,
      E2E_REDIS: redis.server().url,
    };
    const cli = (command: string, args: string[], cwd = root) => {
      const run = spawnSync(command, args, { cwd, env, encoding: "utf8" });
      assert.equal(run.status, 0, `${command} ${args.join(" ")}\n${run.stdout}\n${run.stderr}`);
      return run.stdout;
    };
    const node = (...args: string[]) => cli("node", ["--import", "tsx", "src/cli/main.ts", ...args]);
    const deno = (...args: string[]) => cli(realBinary("deno"), ["run", "-A", "src/cli/main.ts", ...args]);
    const binary = (...args: string[]) => cli(`${root}dist/resque-worker`, args, app);

    await resque.db.redis.set("e2e:failing", "1");
    node("enqueue", "Loud", "hello", "--queue", "e2e");
    env["QUEUE"] = "e2e";
    env["INTERVAL"] = "0";
    binary("--require", "./jobs.ts");
    const stats = JSON.parse(deno("stats", "--json"));
    assert.equal(stats.processed, 1);
    assert.equal(stats.failed, 1);
    const [failure] = JSON.parse(deno("failed", "list", "--json"));
    assert.equal(failure.exception, "Error");
    assert.equal(failure.error, "failing on purpose: hello");
    assert.deepEqual(failure.payload, { class: "Loud", args: ["hello"] });

    await resque.db.redis.del("e2e:failing");
    deno("failed", "retry", "0");
    binary("--require", "./jobs.ts");
    assert.deepEqual(await resque.db.redis.lrange("e2e:said", 0, -1), ["HELLO!"]);
    assert.equal(JSON.parse(deno("stats", "--json")).processed, 2);
  });
});
