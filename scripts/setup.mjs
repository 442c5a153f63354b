#!/usr/bin/env node
// Installs what a command needs when it is missing. Always: the npm packages (Bun and Deno come
// from npm). Then only what is named: `redis` (redis-server, for the demo, tests and benchmarks),
// `valkey` (valkey-server 8 from bookworm-backports, for `npm run test:valkey`),
// `openssl` (the TLS tests make their certificates with it), `chromium` (Debian's browser, which the
// dashboard's browser tests drive through puppeteer-core) and `ruby` (Ruby, the resque, resque-scheduler and resque-retry gems
// and rackup to serve resque-web, only for the compatibility suite and the benchmarks' stock contenders). So `npm run build`
// and `npm run demo` never install Ruby. `sidekiq` (the Sidekiq 7 gem) is for the macro benchmark's peers only, so
// `npm test` never installs it.
//   node scripts/setup.mjs                               npm packages only
//   node scripts/setup.mjs redis openssl chromium ruby   everything `npm test` uses
import { execSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const needs = new Set(process.argv.slice(2));
const known = ["redis", "valkey", "openssl", "chromium", "ruby", "sidekiq"];
for (const need of needs) {
  if (!known.includes(need)) {
    console.error(`setup: unknown need "${need}"; expected any of ${known.join(", ")}`);
    process.exit(1);
  }
}

const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });
const has = (cmd) => !spawnSync(cmd, ["--version"], { stdio: "ignore" }).error;
const sudo = process.getuid?.() === 0 ? "" : has("sudo") ? "sudo " : null;

/** Install a Debian package, or say what to install by hand when that is not possible here. */
function aptInstall(pkg, advice) {
  if (sudo === null || !has("apt-get")) {
    console.error(`setup: ${pkg} is missing and cannot be installed here; ${advice}`);
    process.exit(1);
  }
  console.log(`setup: installing ${pkg} from Debian's packages`);
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`);
}

if (
  ![
    "ioredis",
    "tsx",
    "bun",
    "deno",
    "yaml",
    "tsdown",
    "croner",
    "hono",
    "prom-client",
    "puppeteer-core",
    "uplot",
    "bullmq",
    "@biomejs/biome",
  ].every((p) => existsSync(`${root}node_modules/${p}/package.json`))
) {
  console.log("setup: installing npm packages");
  // npm install (not ci): the lock omits the Deno package's other-platform optional binaries, which ci rejects.
  run("npm install --no-audit --no-fund");
}

if (needs.has("redis") && !has("redis-server")) aptInstall("redis-server", "install Redis (>= 6.2) and run again.");
// redis-cli joins the test clusters (`redis-cli --cluster create`); Debian's redis-server brings it, a
// redis-server from elsewhere may not.
if (needs.has("redis") && !has("redis-cli")) aptInstall("redis-tools", "install redis-tools (redis-cli) and run again.");

// Valkey 8 for `npm run test:valkey`: bookworm has none, bookworm-backports has 8.0. The source is
// added only here, when asked for, and only the valkey packages are taken from it.
if (needs.has("valkey") && !has("valkey-server")) {
  const list = "/etc/apt/sources.list.d/bookworm-backports.sources";
  if (sudo !== null && has("apt-get") && !existsSync(list)) {
    console.log(`setup: adding Debian's bookworm-backports source (${list}) for valkey-server`);
    const source =
      "Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: bookworm-backports\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n";
    run(`printf '${source}' | ${sudo}tee ${list} > /dev/null`);
  }
  aptInstall("-t bookworm-backports valkey-server", "install Valkey 8 (valkey-server) and run again.");
}

if (needs.has("openssl") && !has("openssl")) aptInstall("openssl", "install OpenSSL and run again.");

if (needs.has("chromium") && !has("chromium")) aptInstall("chromium", "install Chromium (Debian's `chromium` package) and run again.");

// Stock Resque itself: Debian's Ruby and the resque gem (3.0.x).
const rubyHasResque = () =>
  has("ruby") &&
  spawnSync("ruby", ["-e", 'require "resque"; exit(Resque::VERSION.start_with?("3.0.") ? 0 : 1)'], { stdio: "ignore" }).status === 0;
if (needs.has("ruby") && !rubyHasResque()) {
  if (!has("ruby")) aptInstall("ruby", "install Ruby and `gem install resque -v 3.0.0`.");
  console.log("setup: installing the resque gem (3.0.0) for the compatibility suite");
  run(`${sudo ?? ""}gem install resque -v 3.0.0 --no-document`);
}
// resque-scheduler itself, for the delayed-job compatibility suite (test/compat/delayed.test.ts).
const rubyHasScheduler = () =>
  spawnSync("ruby", ["-e", 'require "redis"; require "resque-scheduler"; exit(Resque::Scheduler::VERSION.start_with?("5.0.") ? 0 : 1)'], {
    stdio: "ignore",
  }).status === 0;
if (needs.has("ruby") && !rubyHasScheduler()) {
  console.log("setup: installing the resque-scheduler gem (5.0.0) for the compatibility suite");
  run(`${sudo ?? ""}gem install resque-scheduler -v 5.0.0 --no-document`);
}
const rubyHas = (lib) => spawnSync("ruby", ["-e", `require "${lib}"`], { stdio: "ignore" }).status === 0;
// redis-rb's Cluster client, for the Cluster interop check (test/compat/cluster.test.ts): the same
// version as the redis gem resque brought (redis-clustering pins it exactly).
if (needs.has("ruby") && !rubyHas("redis-clustering")) {
  const version = spawnSync("ruby", ["-e", 'require "redis"; print Redis::VERSION'], { encoding: "utf8" }).stdout.trim();
  console.log(`setup: installing the redis-clustering gem (${version}) for the Cluster interop check`);
  run(`${sudo ?? ""}gem install redis-clustering -v ${version} --no-document`);
}
// A web server for stock resque-web (test/compat/scheduler-web.test.ts): Rack 3 moved the server handlers
// into the rackup gem, and WEBrick left Ruby's standard library in 3.0 (Debian ships it as ruby-webrick).
if (needs.has("ruby") && !rubyHas("webrick")) {
  console.log("setup: installing the webrick gem (1.8.1) to serve resque-web");
  run(`${sudo ?? ""}gem install webrick -v 1.8.1 --no-document`);
}
if (needs.has("ruby") && !rubyHas("rackup/handler/webrick")) {
  console.log("setup: installing the rackup gem (2.3.1) to serve resque-web");
  run(`${sudo ?? ""}gem install rackup -v 2.3.1 --no-document`);
}
// Rails interop (test/compat/active-job.test.ts): ActiveJob 7.2 alone (it pulls in activesupport and
// globalid), no Rails app; resque 3.0 ships the adapter. ActiveJob 7.2 wants Ruby >= 3.1.
const rubyHasActiveJob = () =>
  spawnSync("ruby", ["-e", 'require "active_job"; require "globalid"; exit(ActiveJob.version.to_s.start_with?("7.2.") ? 0 : 1)'], {
    stdio: "ignore",
  }).status === 0;
if (needs.has("ruby") && !rubyHasActiveJob()) {
  console.log("setup: installing the activejob gem (7.2.4) for the Rails interop tests");
  run(`${sudo ?? ""}gem install activejob -v 7.2.4 --no-document`);
}
// resque-retry 1.9 for the retry-key and failure-entry compatibility tests (test/compat/retry.test.ts).
// Its gemspec asks for Ruby >= 3.2 but its lib/ is byte-identical to 1.8.1's (which runs on 3.1, Debian's
// Ruby), so --force skips only that check; its runtime dependencies (resque < 4, resque-scheduler < 6)
// are installed above, and --conservative keeps their versions.
const rubyHasRetry = () =>
  spawnSync("ruby", ["-e", 'require "resque-retry"; exit(Gem.loaded_specs["resque-retry"].version.to_s.start_with?("1.9.") ? 0 : 1)'], {
    stdio: "ignore",
  }).status === 0;
if (needs.has("ruby") && !rubyHasRetry()) {
  console.log("setup: installing the resque-retry gem (1.9.0) for the compatibility suite");
  run(`${sudo ?? ""}gem install resque-retry -v 1.9.0 --force --conservative --no-document`);
}
// Sidekiq 7 for the macro benchmark's peers (bench/lib/peers.ts), beside BullMQ from npm.
const rubyHasSidekiq7 = () =>
  has("ruby") && spawnSync("ruby", ["-e", 'gem "sidekiq", "~> 7.3"; require "sidekiq"'], { stdio: "ignore" }).status === 0;
if (needs.has("sidekiq") && !rubyHasSidekiq7()) {
  if (!has("ruby")) aptInstall("ruby", "install Ruby and `gem install sidekiq -v 7.3.10`.");
  console.log("setup: installing the sidekiq gem (7.3.10) for the benchmark's peers");
  run(`${sudo ?? ""}gem install sidekiq -v 7.3.10 --no-document`);
}
