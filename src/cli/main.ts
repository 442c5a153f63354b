#!/usr/bin/env node
/** The `resque` command. */
import { defineCommand, runMain } from "citty";
import { VERSION } from "../protocol/version.ts";
import { currentRuntime } from "../runtime/detect.ts";
import { enqueueCommand } from "./enqueue.ts";
import { workCommand } from "./work.ts";
import { workerProcessCommand } from "./worker-process.ts";

const main = defineCommand({
  meta: { name: "resque", version: VERSION, description: "Resque jobs for Node, Bun and Deno, wire-compatible with Ruby Resque 3.0" },
  subCommands: { work: workCommand, "worker-process": workerProcessCommand, enqueue: enqueueCommand },
});

// The resque-worker binary works by default, as stock's `rake resque:work`: QUEUE=a ./resque-worker
const runtime = currentRuntime();
const rawArgs = runtime.args();
const first = rawArgs[0];
const subcommands = Object.keys(main.subCommands ?? {});
const startsWithCommand = first !== undefined && (subcommands.includes(first) || ["--help", "-h", "--version", "-v"].includes(first));
await runMain(main, { rawArgs: runtime.compiled && !startsWithCommand ? ["work", ...rawArgs] : rawArgs });
