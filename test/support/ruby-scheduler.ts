/** Ruby's resque-scheduler for the compatibility tests: whether it is here, and test/compat/scheduler.rb's commands. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { eventually, exited } from "./spawn-cli.ts";
import { freePort } from "../../scripts/lib/redis-server.ts";
import process from "node:process";

const root = new URL("../../", import.meta.url).pathname;

const probe = spawnSync("ruby", ["-e", 'require "redis"; require "resque-scheduler"; print Resque::Scheduler::VERSION'], {
  encoding: "utf8",
});
/** The installed resque-scheduler version, if any. */
export const rubySchedulerVersion = probe.status === 0 ? probe.stdout : undefined;

/** false when resque-scheduler 5.0.x is installed, else the reason to skip. */
export const rubySchedulerSkip: string | false = rubySchedulerVersion?.startsWith("5.0.")
  ? false
  : `needs Ruby with the resque-scheduler gem 5.0.x (found ${rubySchedulerVersion ?? "none"}): run \`node scripts/setup.mjs ruby\``;

/** Run one command of test/compat/scheduler.rb against `url` and `namespace`; its JSON answer. */
export function schedulerRb(url: string, namespace: string, command: string, ...args: string[]): unknown {
  const run = spawnSync("ruby", ["test/compat/scheduler.rb", command, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, REDIS_URL: url, RESQUE_NAMESPACE: namespace },
  });
  assert.equal(run.status, 0, `ruby ${command}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Run a Ruby script of test/compat to the end without blocking the event loop (a scheduler may be running in this process); its trimmed stdout. */
export function rubyScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  track: { push(child: ReturnType<typeof spawn>): unknown },
): Promise<string> {
  const child = spawn("ruby", [`test/compat/${script}`, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  track.push(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return exited(child).then((code) => {
    assert.equal(code, 0, `ruby ${script} ${args.join(" ")}: ${err}`);
    return out.trim();
  });
}

/** Stock resque-web (Resque::Server plus the scheduler tabs) on a free loopback port; its base URL and log. */
export async function serveResqueWeb(
  env: NodeJS.ProcessEnv,
  track: { push(child: ReturnType<typeof spawn>): unknown },
): Promise<{ base: string; log: () => string }> {
  const port = await freePort();
  const child = spawn("ruby", ["test/compat/scheduler-web.rb", "serve", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  track.push(child);
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`resque-web exited ${child.exitCode}: ${log}`);
      return fetch(`${base}/overview`).then(
        (r) => r.text().then(() => r.ok),
        () => false,
      );
    },
    "resque-web to answer",
    2000,
  );
  return { base, log: () => log };
}
