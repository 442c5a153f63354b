#!/usr/bin/env node
/** The `resque` command. */
import { defineCommand, runMain } from "citty";
import { VERSION } from "../protocol/version.ts";
import { currentRuntime } from "../runtime/detect.ts";
import { enqueueCommand } from "./enqueue.ts";
import { workCommand } from "./work.ts";
import { workerProcessCommand } from "./worker-process.ts";
import { failedCommand } from "./failed.ts";
import { pauseCommand, resumeCommand } from "./pause.ts";
import { pruneCommand } from "./prune.ts";
import { queuesCommand } from "./queues.ts";
import { statsCommand } from "./stats.ts";
import { workersCommand } from "./workers.ts";

const main = defineCommand({
  meta: { name: "resque", version: VERSION, description: "Resque jobs for Node, Bun and Deno, wire-compatible with Ruby Resque 3.0" },
  subCommands: {
    work: workCommand,
    enqueue: enqueueCommand,
    queues: queuesCommand,
    stats: statsCommand,
    workers: workersCommand,
    failed: failedCommand,
    pause: pauseCommand,
    resume: resumeCommand,
    prune: pruneCommand,
    "worker-process": workerProcessCommand,
  },
});

// The resque-worker binary works by default, as stock's `rake resque:work`: QUEUE=a ./resque-worker
const runtime = currentRuntime();
const rawArgs = runtime.args();
const first = rawArgs[0];
const subcommands = Object.keys(main.subCommands ?? {});
const startsWithCommand = first !== undefined && (subcommands.includes(first) || ["--help", "-h", "--version", "-v"].includes(first));
await runMain(main, { rawArgs: runtime.compiled && !startsWithCommand ? ["work", ...rawArgs] : rawArgs });
