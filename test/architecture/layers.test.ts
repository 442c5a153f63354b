/**
 * The architecture of ../shared/DESIGN.md, checked on every file of src/ (no Redis): no import loops
 * (type-only and dynamic imports count), no import against the layers, no Bun or Deno global outside
 * src/runtime, no file over 400 lines. The first block proves each check can fail on a made-up case.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { importLoops, importsOf, lineCount, runtimeGlobalsIn } from "./source-graph.ts";

type Layer =
  | "binary"
  | "index"
  | "cli"
  | "web"
  | "master"
  | "scheduler"
  | "worker"
  | "client"
  | "jobs"
  | "store"
  | "protocol"
  | "runtime"
  | "settings"
  | "shared";

/**
 * Which layer may import which, from DESIGN.md's "Layers" (data flows down; nothing below imports
 * from above): cli -> web | master -> scheduler | worker -> client -> jobs -> store -> runtime, with
 * protocol beside store. Its other sentences, written out:
 * - web, scheduler and worker are siblings: none imports another; what they share lives in client,
 *   store or protocol. A feature that needs two of them is wired together in cli/ or master/ (so
 *   master may import scheduler and worker; web, beside master, may not, and neither imports the other).
 * - web is "built on src/client only" (plus protocol, which is pure: formats, key-free helpers).
 * - protocol is pure, no I/O at all: it imports no other layer, and only packages in PURE_PACKAGES.
 * - runtime is the adapter layer at the bottom: it imports no other layer.
 * Two files stand outside the stack: src/index.ts, the library's face (what apps import: never the
 * CLI, the dashboard or the master), and src/binary.ts, the compiled binary's entry (anything).
 * src/errors.ts and src/log.ts are "shared": every layer may import them, and they import nothing.
 * src/settings/ is the declared table of settings (name, env vars, flag, type, default, help): data
 * and its readers only, importing nothing but shared, so the CLI (flags, help), the master (the env it
 * hands on) and the worker and scheduler (resolved options) read the same rows.
 * A layer may always import its own files.
 */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  binary: ["index", "cli", "web", "master", "scheduler", "worker", "client", "jobs", "store", "protocol", "runtime", "settings"],
  index: ["scheduler", "worker", "client", "jobs", "store", "protocol", "runtime", "settings"],
  cli: ["web", "master", "scheduler", "worker", "client", "jobs", "store", "protocol", "runtime", "settings"],
  web: ["client", "protocol"],
  master: ["scheduler", "worker", "client", "jobs", "store", "protocol", "runtime", "settings"],
  scheduler: ["client", "jobs", "store", "protocol", "runtime", "settings"],
  worker: ["client", "jobs", "store", "protocol", "runtime", "settings"],
  client: ["jobs", "store", "protocol", "runtime"],
  jobs: ["store", "protocol", "runtime"],
  store: ["protocol", "runtime"],
  protocol: [],
  runtime: [],
  settings: [],
  shared: [],
};

/** Packages protocol may use: pure parsers with no I/O of their own. */
const PURE_PACKAGES = ["croner", "yaml"];

/**
 * Imports the code makes today against the table, each with why it stays (fixing it is outside this
 * change). Empty: every import in src/ keeps the layers. Write an entry as "src/a/x.ts -> src/b/y.ts".
 */
const LAYER_EXCEPTIONS: readonly string[] = [];

const MAX_LINES = 400;

function layerOf(file: string): Layer {
  if (file === "src/binary.ts") return "binary";
  if (file === "src/index.ts") return "index";
  if (file === "src/errors.ts" || file === "src/log.ts") return "shared";
  const folder = file.split("/")[1] ?? "";
  if (folder in MAY_IMPORT && file.split("/").length > 2) return folder as Layer;
  throw new Error(`${file} is in no layer: place it in DESIGN.md's layers and in MAY_IMPORT (test/architecture/layers.test.ts)`);
}

/** The imports among `files` that break the table, as "from -> to (why)". */
function layerBreaks(imports: readonly { from: string; to: string }[]): string[] {
  const breaks: string[] = [];
  for (const { from, to } of imports) {
    if (to.startsWith("src/")) {
      const [a, b] = [layerOf(from), layerOf(to)];
      if (a !== b && b !== "shared" && !MAY_IMPORT[a].includes(b)) breaks.push(`${from} -> ${to} (${a} may not import ${b})`);
    } else if (layerOf(from) === "protocol" && !PURE_PACKAGES.includes(to))
      breaks.push(`${from} -> ${to} (protocol is pure: no package but ${PURE_PACKAGES.join(", ")})`);
  }
  return breaks;
}

/** An import's target: a path under src/ for a relative one, else the specifier itself (a package, node:*). */
const targetOf = (from: string, specifier: string): string =>
  specifier.startsWith(".")
    ? normalize(join(dirname(from), specifier))
        .split("\\")
        .join("/")
    : specifier;

const root = fileURLToPath(new URL("../../", import.meta.url));
const sources = readdirSync(join(root, "src"), { recursive: true })
  .map((f) => `src/${String(f).split("\\").join("/")}`)
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(root, file), "utf8") }));
const imports = sources.flatMap(({ file, text }) => importsOf(file, text).map((i) => ({ from: file, to: targetOf(file, i.specifier) })));

describe("architecture: each check can fail", () => {
  it("sees every form of import, and nothing in comments or strings", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "./c.ts";',
      'export type * from "./d.ts";',
      'const e = await import("./e.ts");',
      'type F = import("./f.ts").F;',
      '// import { g } from "./g.ts";',
      "const h = \"import { h } from './h.ts'\";",
    ].join("\n");
    assert.deepEqual(
      importsOf("x.ts", text).map((i) => `${i.line}:${i.specifier}`),
      ["1:./a.ts", "2:./b.ts", "3:./c.ts", "4:./d.ts", "5:./e.ts", "6:./f.ts"],
    );
  });

  it("finds a loop, direct or round several files, and prints it", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["f"]],
      ["f", ["e"]],
      ["g", ["g"]],
      ["h", ["a"]],
    ]);
    assert.deepEqual(importLoops(graph), ["a -> b -> c -> a", "e -> f -> e", "g -> g"]);
    assert.deepEqual(
      importLoops(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
      [],
    );
    const knot = new Map([
      ["a", ["b", "c"]],
      ["b", ["a"]],
      ["c", ["d"]],
      ["d", ["a"]],
    ]);
    assert.deepEqual(importLoops(knot), ["a -> b -> a (one loop of 4 files tied together: a, b, c, d)"]);
  });

  it("refuses an import against the layers", () => {
    const refused = [
      ["src/web/x.ts", "src/worker/y.ts"],
      ["src/worker/x.ts", "src/scheduler/y.ts"],
      ["src/scheduler/x.ts", "src/worker/y.ts"],
      ["src/web/x.ts", "src/master/y.ts"],
      ["src/web/x.ts", "src/store/y.ts"],
      ["src/protocol/x.ts", "src/store/y.ts"],
      ["src/protocol/x.ts", "src/runtime/y.ts"],
      ["src/protocol/x.ts", "node:fs"],
      ["src/protocol/x.ts", "ioredis"],
      ["src/client/x.ts", "src/worker/y.ts"],
      ["src/store/x.ts", "src/client/y.ts"],
      ["src/runtime/x.ts", "src/protocol/y.ts"],
      ["src/index.ts", "src/cli/y.ts"],
      ["src/errors.ts", "src/protocol/y.ts"],
    ].map(([from, to]) => ({ from: from!, to: to! }));
    assert.equal(layerBreaks(refused).length, refused.length, layerBreaks(refused).join("\n"));
    const allowed = [
      ["src/cli/x.ts", "src/web/y.ts"],
      ["src/master/x.ts", "src/worker/y.ts"],
      ["src/worker/x.ts", "src/store/y.ts"],
      ["src/protocol/x.ts", "croner"],
      ["src/store/x.ts", "src/errors.ts"],
      ["src/protocol/x.ts", "src/log.ts"],
    ].map(([from, to]) => ({ from: from!, to: to! }));
    assert.deepEqual(layerBreaks(allowed), []);
    assert.throws(() => layerOf("src/plugins/x.ts"), /in no layer/);
  });

  it("finds the Bun and Deno globals, not a property or a word that happens to match", () => {
    const text = [
      "const a = Bun.spawn([]);",
      'const b = typeof Deno !== "undefined";',
      "const c = globalThis.Bun;",
      'const d = (globalThis as any)["Deno"];',
      "const e = options.Bun;",
      "const f = { Deno: 1 };",
      '// Bun.spawn in a comment; "Deno.exit" in a string',
    ].join("\n");
    assert.deepEqual(
      runtimeGlobalsIn("x.ts", text).map((g) => `${g.line}:${g.name}`),
      ["1:Bun", "2:Deno", "3:Bun", "4:Deno"],
    );
  });

  it("counts lines as wc -l does", () => {
    assert.equal(lineCount(`${"x\n".repeat(MAX_LINES)}`), MAX_LINES);
    assert.equal(lineCount(`${"x\n".repeat(MAX_LINES)}x`), MAX_LINES + 1);
    assert.equal(lineCount(""), 0);
  });
});

describe("architecture of src/", () => {
  it("has no import loop (type-only and dynamic imports count)", () => {
    const graph = new Map(sources.map(({ file }) => [file, [] as string[]]));
    for (const { from, to } of imports) if (graph.has(to)) graph.get(from)!.push(to);
    const loops = importLoops(graph);
    assert.deepEqual(
      loops,
      [],
      `Files that import each other; move the shared type or helper to where it belongs:\n  ${loops.join("\n  ")}`,
    );
  });

  it("keeps DESIGN.md's layers", () => {
    const breaks = layerBreaks(imports).filter((b) => !LAYER_EXCEPTIONS.some((e) => b.startsWith(`${e} `)));
    assert.deepEqual(breaks, [], `Imports against the layers (see MAY_IMPORT):\n  ${breaks.join("\n  ")}`);
  });

  it("imports only files that exist", () => {
    const known = new Set(sources.map(({ file }) => file));
    const missing = imports.filter(({ to }) => to.startsWith("src/") && !known.has(to)).map(({ from, to }) => `${from} -> ${to}`);
    assert.deepEqual(missing, []);
  });

  it("names the Bun and Deno globals only in src/runtime", () => {
    const uses = sources
      .filter(({ file }) => !file.startsWith("src/runtime/"))
      .flatMap(({ file, text }) => runtimeGlobalsIn(file, text).map((g) => `${file}:${g.line} ${g.name}`));
    assert.deepEqual(uses, [], `Only src/runtime may touch the runtime's globals:\n  ${uses.join("\n  ")}`);
  });

  it(`has no file over ${MAX_LINES} lines (generated files aside)`, () => {
    const long = sources
      .filter(({ file }) => !file.endsWith(".generated.ts"))
      .map(({ file, text }) => ({ file, lines: lineCount(text) }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(long, [], `Split these along their seams:\n  ${long.join("\n  ")}`);
  });

  it("reads the whole of src/", () => {
    // A wrong root would make every check above pass on nothing.
    assert.ok(sources.length > 100, `${sources.length} files under ${relative(process.cwd(), join(root, "src"))}`);
    assert.ok(imports.length > sources.length);
  });
});
