import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { currentRuntime, detectRuntimeName } from "../../src/runtime/detect.ts";
import { waitingTitle } from "../../src/protocol/procline.ts";
import { isResqueWorkerCommand } from "../../src/protocol/procline.ts";

describe(`runtime adapter (${detectRuntimeName()})`, () => {
  it("detects the runtime it runs on", () => {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    assert.equal(detectRuntimeName(), g.Deno ? "deno" : g.Bun ? "bun" : "node");
  });

  it("sets a title that /proc/<pid>/cmdline shows and stock's pruning recognises", () => {
    const runtime = currentRuntime();
    const title = waitingTitle(["q"]);
    runtime.setTitle(title);
    const cmdline = readFileSync(`/proc/${runtime.pid}/cmdline`, "utf8").replace(/\0+$/, "").replaceAll("\0", " ").trim();
    assert.ok(cmdline.startsWith(title.slice(0, 12)), `cmdline is "${cmdline}"`);
    assert.ok(isResqueWorkerCommand(cmdline));
    assert.ok(runtime.processes().some((p) => p.pid === runtime.pid && isResqueWorkerCommand(p.command)));
  });

  it("knows its host and pid", () => {
    const runtime = currentRuntime();
    assert.ok(runtime.hostname().length > 0);
    assert.ok(Number.isInteger(runtime.pid) && runtime.pid > 0);
  });
});
