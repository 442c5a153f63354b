// A CLI that never surprises: unknown commands and flags, negative numbers, --help and --version
// on every command, on the runtime running the tests (or the binary, with RESQUE_TEST_BINARY).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { defineCommand } from "citty";
import { runCli } from "../../src/cli/kit/dispatch.ts";
import { VERSION } from "../../src/protocol/version.ts";
import { useRedis } from "../support/fixture.ts";
import { cliCommand, runToEnd } from "../support/spawn-cli.ts";

const redis = useRedis();
const envFor = (namespace: string) => ({ REDIS_URL: redis.server().url, RESQUE_NAMESPACE: namespace });

const COMMANDS = [
  [],
  ["work"],
  ["enqueue"],
  ["queues"],
  ["stats"],
  ["workers"],
  ["pause"],
  ["resume"],
  ["prune"],
  ["failed"],
  ["failed", "list"],
  ["failed", "show"],
  ["failed", "retry"],
  ["failed", "retry-all"],
  ["failed", "remove"],
  ["failed", "clear"],
  ["delayed"],
  ["delayed", "list"],
  ["delayed", "show"],
  ["delayed", "remove"],
  ["delayed", "clear"],
  ["delayed", "enqueue-now"],
];

const ANSI = /\x1b\[/;

describe("resque CLI: commands and flags", () => {
  it("an unknown command is an error with a suggestion, and nothing is worked or pushed", async () => {
    const resque = redis.open("cli-typo");
    await resque.enqueueTo("q", "Foo", 1);
    const typo = await runToEnd(["enqeue", "Foo", "2", "--queue", "q"], { ...envFor(resque.db.keys.namespace), INTERVAL: "0" });
    assert.equal(typo.code, 1);
    assert.match(typo.err, /Unknown command enqeue; did you mean enqueue\?/);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1), ['{"class":"Foo","args":[1]}']);
    const nothingClose = await runToEnd(["frobnicate"], envFor(resque.db.keys.namespace));
    assert.equal(nothingClose.code, 1);
    assert.match(nothingClose.err, /Unknown command frobnicate; `?resque(-worker)? --help`? lists the commands/);
    const sub = await runToEnd(["failed", "lst"], envFor(resque.db.keys.namespace));
    assert.equal(sub.code, 1);
    assert.match(sub.err, /Unknown command lst; did you mean list\?/);
  });

  it("only no command at all means the default command (the binary's work)", async () => {
    const ran: string[] = [];
    const root = defineCommand({
      subCommands: {
        work: defineCommand({ args: { queue: { type: "string" } }, run: ({ args }) => void ran.push(`work ${args.queue ?? ""}`.trim()) }),
        enqueue: defineCommand({ args: { class: { type: "positional" } }, run: ({ args }) => void ran.push(`enqueue ${args.class}`) }),
      },
    });
    const printed: string[] = [];
    const cli = (argv: string[]) =>
      runCli(root, argv, { program: "resque-worker", version: "9.9", defaultCommand: "work", color: false, print: (t) => printed.push(t) });
    assert.equal(await cli([]), undefined);
    assert.equal(await cli(["--queue", "q"]), undefined);
    assert.equal(await cli(["enqueue", "Foo"]), undefined);
    assert.deepEqual(ran, ["work", "work q", "enqueue Foo"]);
    assert.equal(await cli(["enqeue", "Foo"]), 1, "a misspelt command is not work");
    assert.equal(await cli(["--queue", "q", "enqueue"]), 1, "a command after flags is not an argument of work");
    assert.deepEqual(ran, ["work", "work q", "enqueue Foo"]);
    assert.equal(await cli(["--version"]), 0);
    assert.equal(printed.at(-1), "9.9");
  });

  it("positional arguments that look like negative numbers are arguments; -- ends the flags", async () => {
    const resque = redis.open("cli-negative");
    const env = envFor(resque.db.keys.namespace);
    const one = await runToEnd(["enqueue", "Foo", "x", "-5", "-1.5", "-2e3", "--queue", "q"], env);
    assert.equal(one.code, 0, one.err);
    const literal = await runToEnd(["enqueue", "--queue", "q", "Foo", "--", "--not-a-flag", "-h"], env);
    assert.equal(literal.code, 0, literal.err);
    assert.deepEqual(await resque.db.redis.lrange(resque.db.keys.queue("q"), 0, -1), [
      // -2e3 is a Float as typed, as Ruby's JSON.parse reads it.
      '{"class":"Foo","args":["x",-5,-1.5,-2000.0]}',
      '{"class":"Foo","args":["--not-a-flag","-h"]}',
    ]);
  });

  it("an unknown flag is an error with a suggestion, and nothing is pushed anywhere", async () => {
    const resque = redis.open("cli-flags");
    const env = envFor(resque.db.keys.namespace);
    const typo = await runToEnd(["enqueue", "Foo", "1", "--namespce", "other", "--queue", "q"], env);
    assert.equal(typo.code, 1);
    assert.match(typo.err, /Unknown option --namespce; did you mean --namespace\?/);
    assert.doesNotMatch(typo.err, /unexpected/, "the typo's value is not reported as a stray argument");
    for (const namespace of [resque.db.keys.namespace, "other", "resque"]) {
      assert.equal(await resque.db.redis.llen(`${namespace}:queue:q`), 0, `nothing pushed in ${namespace}`);
    }
    const work = await runToEnd(["work", "--qeue", "q"], { ...env, INTERVAL: "0" });
    assert.equal(work.code, 1);
    assert.match(work.err, /Unknown option --qeue; did you mean --queue\?/);
    const unknown = await runToEnd(["queues", "--bogus-flag"], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /Unknown option --bogus-flag\. `?resque(-worker)? queues --help`? lists the options/);
    const missing = await runToEnd(["enqueue", "Foo", "--queue"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /--queue needs a value/);
    const stray = await runToEnd(["queues", "extra"], env);
    assert.equal(stray.code, 1);
    assert.match(stray.err, /queues takes no arguments; unexpected: "extra"/);
  });

  it("--version works on every command", async () => {
    for (const command of COMMANDS) {
      const result = await runToEnd([...command, "--version"], envFor("unused"));
      assert.equal(result.code, 0, `${command.join(" ")}: ${result.err}`);
      assert.equal(result.out.trim(), VERSION, command.join(" "));
    }
  });

  it("help fits 80 columns, has no colour in a pipe, hides internal flags, and lists every flag the README lists", async () => {
    for (const command of COMMANDS) {
      const { code, out, err } = await runToEnd([...command, "--help"], { ...envFor("unused"), NO_COLOR: "", FORCE_COLOR: "1" });
      const name = command.join(" ") || "(root)";
      assert.equal(code, 0, `${name}: ${err}`);
      assert.doesNotMatch(out, ANSI, `${name}: no ANSI codes when stdout is not a terminal`);
      for (const line of out.split("\n")) assert.ok(line.length <= 80, `${name}: ${JSON.stringify(line)} is ${line.length} columns`);
      assert.doesNotMatch(out, /\(internal\)|title-room|worker-process/, `${name}: nothing internal`);
    }
    const work = (await runToEnd(["work", "--help"], envFor("unused"))).out;
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf("## Environment variables"), readme.indexOf("## Signals"));
    const listed = new Set([...table.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]!));
    for (const flag of ["--max-interval", "--backoff-interval", "--no-fork"]) listed.add(flag);
    assert.ok(listed.size > 20, "the README's table was found");
    for (const flag of listed) assert.match(work, new RegExp(`^  ${flag}\\b`, "m"), `work --help lists ${flag}`);
  });

  it("prune --help says what prune does", async () => {
    const { out } = await runToEnd(["prune", "--help"], envFor("unused"));
    assert.match(out, /heartbeat is older than\s+--prune-interval/);
    assert.match(out, /this host whose process is gone/);
    assert.match(out, /go back to the head of their\s+queues/);
    assert.match(out, /Resque::DirtyExit/);
  });

  it("help is coloured on a terminal, and not with NO_COLOR", { skip: spawnSync("script", ["--version"]).error !== undefined }, () => {
    const quoted = cliCommand(["queues", "--help"])
      .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
      .join(" ");
    const inTerminal = (env: Record<string, string>) =>
      spawnSync("script", ["-qec", quoted, "/dev/null"], { env: { ...process.env, TERM: "xterm", ...env }, encoding: "utf8" }).stdout;
    assert.match(inTerminal({}), ANSI);
    assert.doesNotMatch(inTerminal({ NO_COLOR: "yes" }), ANSI, "any non-empty NO_COLOR, as no-color.org says");
  });
});

describe("resque CLI: locations", () => {
  it("refuses redis//host:port with advice, and a database the server lacks", async () => {
    const port = new URL(redis.server().url).port;
    const typo = await runToEnd(["queues", "--redis", `redis//127.0.0.1:${port}`], envFor("unused"));
    assert.equal(typo.code, 1);
    assert.match(typo.err, new RegExp(`did you mean redis://127\\.0\\.0\\.1:${port}\\?`));
    const db = await runToEnd(["queues", "--redis", `redis://127.0.0.1:${port}/99`], envFor("unused"));
    assert.notEqual(db.code, 0);
    assert.match(db.err, /has no database 99/);
  });
});

const FAILURE =
  '{"failed_at":"2026/11/23 07:54:37 UTC","payload":{"class":"FailJob","args":[1]},"exception":"ArgumentError","error":"boom","backtrace":[],"worker":"vm:1:q","queue":"q"}';

describe("resque CLI: the failed list", () => {
  it("shows an entry that is not JSON as unreadable and goes on", async () => {
    const resque = redis.open("cli-unreadable");
    const env = envFor(resque.db.keys.namespace);
    await resque.db.redis.rpush(resque.db.keys.failed, FAILURE, "not json {", "[1,2]", FAILURE);
    const list = await runToEnd(["failed", "list"], env);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^0 .*FailJob/m);
    assert.match(list.out, /^1 .*\(unreadable\).*not JSON.*not json \{/m);
    assert.match(list.out, /^2 .*\(unreadable\).*not a JSON object/m);
    assert.match(list.out, /^3 .*FailJob/m);
    const json = JSON.parse((await runToEnd(["failed", "list", "--json"], env)).out);
    assert.deepEqual(
      json.map((f: { unreadable?: string; raw?: string }) => f.raw ?? f.unreadable ?? "ok"),
      ["ok", "not json {", "[1,2]", "ok"],
    );
    const show = await runToEnd(["failed", "show", "1"], env);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /unreadable\s+not JSON[^]*raw\s+not json \{/);
    assert.match((await runToEnd(["failed", "show", "3"], env)).out, /class\s+FailJob/);
    const retry = await runToEnd(["failed", "retry", "1"], env);
    assert.equal(retry.code, 1);
    assert.match(retry.err, /cannot be retried: its record is not JSON/);
    assert.equal((await runToEnd(["failed", "retry-all", "--json"], env)).out.trim(), '{"retried":2}');
  });

  it("gives clear errors for a bad index, limit or offset", async () => {
    const resque = redis.open("cli-bad-index");
    const env = envFor(resque.db.keys.namespace);
    await resque.db.redis.rpush(resque.db.keys.failed, FAILURE);
    const negative = await runToEnd(["failed", "show", "-1"], env);
    assert.equal(negative.code, 1);
    assert.match(negative.err, /"-1" is not a failure index: indexes are whole numbers from 0/);
    assert.doesNotMatch(negative.out + negative.err, /Usage:|OPTIONS/, "an error, not the usage screen");
    const none = await runToEnd(["failed", "show"], env);
    assert.equal(none.code, 1);
    assert.match(none.err, /failed show needs INDEX/);
    const limit = await runToEnd(["failed", "list", "--limit", "-5"], env);
    assert.equal(limit.code, 1);
    assert.match(limit.err, /--limit wants a whole number of at least 1, got "-5"/);
    assert.doesNotMatch(limit.out, /No failed jobs/);
    const offset = await runToEnd(["failed", "list", "--offset", "abc"], env);
    assert.equal(offset.code, 1);
    assert.match(offset.err, /--offset wants a whole number of at least 0, got "abc"/);
    assert.match((await runToEnd(["failed", "list", "--offset", "5"], env)).out, /No failed jobs from offset 5: 1 in all/);
    assert.match(
      (await runToEnd(["failed", "list", "--queue", "elsewhere"], env)).out,
      /No failed jobs match --queue elsewhere \(1 failure in all\)/,
    );
  });
});
