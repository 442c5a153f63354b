#!/usr/bin/env node
// Everything the demo and the tests need, installed when missing: npm packages (including Bun
// and Deno, which come from npm), and redis-server and openssl from Debian's packages.
import { execSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });
const has = (cmd) => !spawnSync(cmd, ["--version"], { stdio: "ignore" }).error;

if (!["ioredis", "tsx", "bun", "deno", "yaml"].every((p) => existsSync(`${root}node_modules/${p}/package.json`))) {
  console.log("setup: installing npm packages");
  // npm install (not ci): the lock omits the Deno package's other-platform optional binaries, which ci rejects.
  run("npm install --no-audit --no-fund");
}

if (!has("redis-server")) {
  const root_ = process.getuid?.() === 0;
  const sudo = root_ ? "" : has("sudo") ? "sudo " : null;
  if (sudo === null || !has("apt-get")) {
    console.error("setup: redis-server is missing and cannot be installed here; install Redis (>= 6.2) and run again.");
    process.exit(1);
  }
  console.log("setup: installing redis-server from Debian's packages");
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server`);
}

// The TLS tests make their own CA and certificates with the openssl command.
if (!has("openssl")) {
  const sudo = process.getuid?.() === 0 ? "" : has("sudo") ? "sudo " : null;
  if (sudo === null || !has("apt-get")) {
    console.error("setup: openssl is missing and cannot be installed here; install OpenSSL and run again.");
    process.exit(1);
  }
  console.log("setup: installing openssl from Debian's packages");
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl`);
}

// The compatibility suite runs stock Resque itself: Debian's Ruby and the resque gem (3.0.x).
const rubyHasResque = () =>
  has("ruby") && spawnSync("ruby", ["-e", 'require "resque"; exit(Resque::VERSION.start_with?("3.0.") ? 0 : 1)'], { stdio: "ignore" }).status === 0;
if (!rubyHasResque()) {
  const sudo = process.getuid?.() === 0 ? "" : has("sudo") ? "sudo " : null;
  if (!has("ruby")) {
    if (sudo === null || !has("apt-get")) {
      console.error("setup: Ruby is missing and cannot be installed here; install Ruby and `gem install resque -v 3.0.0`.");
      process.exit(1);
    }
    console.log("setup: installing Ruby from Debian's packages");
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby`);
  }
  console.log("setup: installing the resque gem (3.0.0) for the compatibility suite");
  run(`${sudo ?? ""}gem install resque -v 3.0.0 --no-document`);
}
