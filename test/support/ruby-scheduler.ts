/** Ruby's resque-scheduler for the compatibility tests: whether it is here, and test/compat/scheduler.rb's commands. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";

const root = new URL("../../", import.meta.url).pathname;

const probe = spawnSync("ruby", ["-e", 'require "redis"; require "resque-scheduler"; print Resque::Scheduler::VERSION'], { encoding: "utf8" });
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
