// A job module outside the project, in a folder with no package.json: it loads as the ES module it is.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, describe, it } from "node:test";
import { spawn } from "node:child_process";
import { detectRuntimeName } from "../../src/runtime/detect.ts";
import { useRedis } from "../support/fixture.ts";
import { finished, runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
const dir = mkdtempSync(join(tmpdir(), "resque-jobs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Top-level await and a typed import of a sibling .ts file: what CommonJS loading refuses.
writeFileSync(join(dir, "helper.ts"), 'export const suffix: string = "from helper";\n');
writeFileSync(
  join(dir, "jobs.ts"),
  [
    'import { appendFileSync } from "node:fs";',
    'import { suffix } from "./helper.ts";',
    'const out: string = await Promise.resolve(new URL("./done.txt", import.meta.url).pathname);',
    'export const hello = { className: "Hello", perform: (name: string) => appendFileSync(out, `hello ${name} ${suffix}\\n`) };',
    "",
  ].join("\n"),
);

const env = (namespace: string) => ({ REDIS_URL: redis.server().url, RESQUE_NAMESPACE: namespace, QUEUE: "q", INTERVAL: "0" });
const done = () => readFileSync(join(dir, "done.txt"), "utf8");

describe("job modules", () => {
  it('a plain jobs.ts in a folder without "type": "module" is worked, forked and inline', async () => {
    const resque = redis.open("jobs-esm");
    await resque.enqueueTo("q", "Hello", "forked");
    const forked = await runToEnd(["work", "--require", join(dir, "jobs.ts")], env(resque.db.keys.namespace));
    assert.equal(forked.code, 0, forked.err);
    await resque.enqueueTo("q", "Hello", "inline");
    const inline = await runToEnd(["work", "--no-fork", "--require", join(dir, "jobs.ts")], env(resque.db.keys.namespace));
    assert.equal(inline.code, 0, inline.err);
    assert.equal(done(), "hello forked from helper\nhello inline from helper\n");
    assert.equal(await resque.size("q"), 0);
  });

  it("also through bin/resque.mjs, npx's entry, under Node", {
    skip: detectRuntimeName() !== "node" || process.env["RESQUE_TEST_BINARY"] !== undefined,
  }, async () => {
    const resque = redis.open("jobs-esm-bin");
    await resque.enqueueTo("q", "Hello", "npx");
    const bin = new URL("../../bin/resque.mjs", import.meta.url).pathname;
    const child = spawn(process.execPath, [bin, "work", "--require", join(dir, "jobs.ts")], {
      env: { ...process.env, ...env(resque.db.keys.namespace) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stdout.resume();
    child.stderr.on("data", (d) => (err += d));
    assert.equal(await finished(child), 0, err);
    assert.match(done(), /hello npx from helper\n$/);
  });

  // Bun (and so the binary) loads CommonJS .js files as they are; Node now loads them as ES modules.
  it("a CommonJS job module gets advice: use export, or name it .cjs", {
    skip: detectRuntimeName() !== "node" || process.env["RESQUE_TEST_BINARY"] !== undefined,
  }, async () => {
    writeFileSync(join(dir, "old.js"), 'module.exports = { hello: { className: "Hello", perform() {} } };\n');
    const result = await runToEnd(["work", "--require", join(dir, "old.js")], env("unused"));
    assert.equal(result.code, 1);
    assert.match(result.err, /job modules load as ES modules: use export and import, or name the file \.cjs/);
  });
  it("says at start-up which job classes it runs, and warns once when it knows none (every job would fail as NameError)", async () => {
    const resque = redis.open("jobs-announce");
    const known = await runToEnd(["work", "--require", join(dir, "jobs.ts")], env(resque.db.keys.namespace));
    assert.equal(known.code, 0, known.err);
    assert.match(known.out + known.err, /Runs 1 job class from .*jobs\.ts: Hello\. A job of any other class fails as NameError\./);
    for (const fork of [[], ["--no-fork"]]) {
      const none = await runToEnd(["work", ...fork], env(resque.db.keys.namespace));
      assert.equal(none.code, 0, none.err);
      const warnings =
        (none.out + none.err).match(
          /No job module loaded \(--require FILE or RESQUE_REQUIRE\), so this worker knows no job classes: every job it takes will fail as NameError/g,
        ) ?? [];
      assert.equal(warnings.length, 1, `warned once (${fork.join(" ") || "forked"}): ${none.out}${none.err}`);
    }
  });

  it("a job module with a syntax error is named with its file, line and column", async () => {
    writeFileSync(join(dir, "broken.ts"), "export const a = 1;\nconst x = ;\n");
    const result = await runToEnd(["work", "--require", join(dir, "broken.ts")], env("unused"));
    assert.equal(result.code, 1);
    // Node (tsx/esbuild) counts the column from 0, Bun and Deno from 1.
    assert.match(
      result.err,
      new RegExp(`Cannot load job module .*broken\\.ts: [^]*${join(dir, "broken.ts").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:1[01]`),
      result.err,
    );
  });
});
