/**
 * What ships, as a user gets it: `npm pack`, then a fresh app outside the checkout installs the
 * tarball (its dependencies come from the npm registry or npm's cache) and uses it on Node, Bun
 * and Deno, type-checks against it with `tsc --init`'s settings, and the release binary works a
 * job module alone in an empty folder. The README's Deno script and binary quickstart run as
 * written. `npm test` runs this file once (it starts every runtime itself).
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { startRedis, type TestRedis } from "../../scripts/lib/redis-server.ts";
import { baseEnv, bin, manifest, readmeBlock, root, run as runIn, type Env } from "./support.ts";

// Every npx below runs with --yes=false: if the app's own command were missing, npx must fail,
// not fetch the unrelated registry package called `resque`.

let redis: TestRedis;
let work: string;
let app: string;
let env: Env;

function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; expect?: number } = {}): string {
  return runIn(command, args, {
    cwd: options.cwd ?? app,
    env: { ...env, ...options.env },
    ...(options.expect !== undefined && { expect: options.expect }),
  });
}

/** A job module as an app writes one: it says which runtime worked it. */
const JOBS = `import { currentRuntime, defineJob } from "${manifest.name}";

export const archive = defineJob("Archive", {
  queue: "archive",
  async perform(documentId: number, options: { compress?: boolean }) {
    console.log(\`archived \${documentId}\${options.compress ? " compressed" : ""} on \${currentRuntime().name}\`);
  },
});
`;

const ENQUEUE = `import { Resque } from "${manifest.name}";

const resque = await new Resque({ redis: process.env.REDIS_URL }).connect();
await resque.enqueueTo("archive", "Archive", Number(process.argv[2]), { compress: true });
await resque.close();
`;

before(async () => {
  redis = await startRedis();
  work = mkdtempSync(join(tmpdir(), "resque-packaging-"));
  app = join(work, "app");
  env = { ...baseEnv, REDIS_URL: redis.url, QUEUE: "archive", INTERVAL: "0" };
  // prepack builds dist/lib, so the tarball always carries the current code.
  run("npm", ["pack", "--pack-destination", work], { cwd: root });
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
  assert.equal(tarball, `${manifest.name}-${manifest.version}.tgz`);
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  writeFileSync(join(app, "jobs.ts"), JOBS);
  writeFileSync(join(app, "enqueue.mjs"), ENQUEUE);
  run("npm", ["install", "--no-audit", "--no-fund", join(work, tarball!), `typescript@${manifest.devDependencies["typescript"]}`]);
});

after(async () => {
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball in a fresh app", () => {
  it("ships built JavaScript and types, and no source, tests or binaries", () => {
    const installed = join(app, "node_modules", manifest.name);
    const files = readdirSync(installed, { recursive: true }).map(String).sort();
    assert.ok(files.includes(join("dist", "lib", "index.js")) && files.includes(join("dist", "lib", "index.d.ts")), files.join(" "));
    assert.deepEqual(
      files.filter((f) => /^(src|test|scripts)\b/.test(f) || (/\.ts$/.test(f) && !f.endsWith(".d.ts"))),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.includes("resque-worker-") || f === join("dist", "resque-worker")),
      [],
    );
    // tsx is no dependency: nothing that runs the package needs it.
    assert.equal(readdirSync(join(app, "node_modules")).includes("tsx"), false);
  });

  it("Node: a plain .mjs enqueues and `npx resque work` works a .ts job module (tsx only for Node < 22.18)", () => {
    run("node", ["enqueue.mjs", "1"]);
    // Ask the app's node, not the runtime running this test (Bun's and Deno's say yes).
    const nativeTypeScript = run("node", ["-p", "Boolean(process.features.typescript)"]).trim() === "true";
    if (!nativeTypeScript) {
      const refused = run("npx", ["--yes=false", "resque", "work", "--require", "./jobs.ts"], { expect: 1 });
      assert.match(refused, /cannot import the TypeScript module \.\/jobs\.ts by itself: install tsx/);
      run("npm", ["install", "--no-audit", "--no-fund", "--save-dev", `tsx@${manifest.devDependencies["tsx"]}`]);
    }
    assert.match(run("npx", ["--yes=false", "resque", "work", "--require", "./jobs.ts"]), /archived 1 compressed on node/);
    // resque-worker works by default, as the binary does.
    run("node", ["enqueue.mjs", "2"]);
    assert.match(run("npx", ["--yes=false", "resque-worker", "--require", "./jobs.ts"]), /archived 2 compressed on node/);
  });

  it("Bun: `bunx --bun resque` runs on Bun; plain `bunx` follows the bin's node shebang", () => {
    run(bin("bun"), ["enqueue.mjs", "3"]);
    assert.match(run(bin("bunx"), ["--bun", "resque", "work", "--require", "./jobs.ts"]), /archived 3 compressed on bun/);
    run(bin("bun"), ["enqueue.mjs", "4"]);
    assert.match(run(bin("bunx"), ["--bun", "resque-worker", "--require", "./jobs.ts"]), /archived 4 compressed on bun/);
    run(bin("bun"), ["enqueue.mjs", "5"]);
    assert.match(run(bin("bunx"), ["resque", "work", "--require", "./jobs.ts"]), /archived 5 compressed on node/);
  });

  it("Deno: the README's script enqueues and reads stats with npm:resque-ts; the CLI runs from npm: too", () => {
    const scripts = join(app, "deno");
    mkdirSync(scripts);
    writeFileSync(join(scripts, "stats.ts"), readmeBlock("deno-stats"));
    const before = JSON.parse(
      run(bin("deno"), ["run", "--allow-env", "--allow-net", "stats.ts"], { cwd: scripts })
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .at(-1)!,
    );
    const after = JSON.parse(
      run(bin("deno"), ["run", "--allow-env", "--allow-net", "stats.ts"], { cwd: scripts })
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .at(-1)!,
    );
    assert.equal(after.pending, before.pending + 1, "the script enqueued one job");
    assert.equal(typeof after.processed, "number");
    const worked = run(bin("deno"), ["run", "-A", `npm:${manifest.name}/resque`, "work", "--require", "./jobs.ts"]);
    assert.equal(worked.match(/ on deno/g)?.length, after.pending, worked);
  });

  it("Deno: the JSR shape (deno.json name and exports) imports from a linked checkout", () => {
    const jsrApp = join(work, "jsr-app");
    mkdirSync(jsrApp);
    const { name } = JSON.parse(readFileSync(`${root}deno.json`, "utf8")) as { name: string };
    writeFileSync(join(jsrApp, "deno.json"), JSON.stringify({ links: [root] }));
    writeFileSync(
      join(jsrApp, "stats.ts"),
      `import { Resque } from "jsr:${name}";\nconst resque = await new Resque({ redis: Deno.env.get("REDIS_URL") }).connect();\nconsole.log(JSON.stringify(await resque.stats()));\nawait resque.close();\n`,
    );
    const stats = JSON.parse(
      run(bin("deno"), ["run", "--allow-env", "--allow-net", "stats.ts"], { cwd: jsrApp })
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .at(-1)!,
    );
    assert.ok(stats.processed >= 5, JSON.stringify(stats));
  });

  it("TypeScript: the app type-checks with `tsc --init` defaults, and typed jobs check enqueue's arguments", () => {
    run("npx", ["--yes=false", "tsc", "--init"]);
    const config = readFileSync(join(app, "tsconfig.json"), "utf8");
    assert.match(config, /"module": "nodenext"/);
    assert.match(config, /"exactOptionalPropertyTypes": true/);
    // The Deno scripts are Deno's (npm: specifiers, the Deno global), not tsc's.
    writeFileSync(join(app, "tsconfig.json"), config.replace(/\}\s*$/, ',\n  "exclude": ["deno"]\n}\n'));
    writeFileSync(
      join(app, "app.ts"),
      `import { Resque, float, type FailureRecord } from "${manifest.name}";
import { archive } from "./jobs.js";

export async function enqueueArchive(resque: Resque): Promise<FailureRecord[]> {
  await resque.enqueue(archive, 42, { compress: true });
  await resque.enqueueTo("later", archive, 43, {});
  await resque.enqueue("Mailer::Deliver", "someone@example.com", float(1));
  // @ts-expect-error documentId is a number: the package's types reach the app
  await resque.enqueue(archive, "42", {});
  return resque.failed.list();
}
`,
    );
    run("npx", ["--yes=false", "tsc", "--noEmit", "-p", "."]);
  });

  it("the release binary, alone in an empty folder, runs the README's quickstart with a job importing the package", () => {
    run("node", ["scripts/release.mjs"], { cwd: root });
    const file = `resque-worker-${process.platform}-${process.arch}`;
    const lonely = join(work, "binary-only");
    mkdirSync(lonely);
    copyFileSync(`${root}dist/${file}`, join(lonely, file));
    copyFileSync(`${root}dist/SHA256SUMS`, join(lonely, "SHA256SUMS"));
    run("sha256sum", ["-c", "--ignore-missing", "SHA256SUMS"], { cwd: lonely });
    run("chmod", ["+x", file], { cwd: lonely });
    run("mv", [file, "resque-worker"], { cwd: lonely });
    assert.match(run("./resque-worker", ["--version"], { cwd: lonely }), new RegExp(manifest.version.replaceAll(".", "\\.")));
    const quickstart = readmeBlock("binary");
    assert.match(quickstart, new RegExp(`from "${manifest.name}"`), "the quickstart's job module imports the package by name");
    const output = run("bash", ["-euo", "pipefail", "-c", quickstart], { cwd: lonely });
    assert.match(output, /hello world/);
    assert.deepEqual(readdirSync(lonely).sort(), ["SHA256SUMS", "jobs.ts", "resque-worker"], "nothing but the binary and the job module");
  });
});
