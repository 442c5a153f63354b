#!/usr/bin/env node
/** The `resque` command. */
import { defineCommand } from "citty";
import process from "node:process";
import { VERSION } from "../protocol/version.ts";
import { currentRuntime } from "../runtime/detect.ts";
import { enqueueCommand } from "./commands/enqueue.ts";
import { workCommand } from "./commands/work.ts";
import { workerProcessCommand } from "./roles/worker-process.ts";
import { failedCommand } from "./commands/failed.ts";
import { pauseCommand, resumeCommand } from "./commands/pause.ts";
import { pruneCommand } from "./commands/prune.ts";
import { queuesCommand } from "./commands/queues.ts";
import { statsCommand } from "./commands/stats.ts";
import { workersCommand } from "./commands/workers.ts";
import { schedulerCommand } from "./commands/scheduler.ts";
import { delayedCommand } from "./commands/delayed.ts";
import { scheduleCommand } from "./commands/schedule.ts";
import { webCommand } from "./commands/web.ts";
import { runCli } from "./kit/dispatch.ts";

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
    scheduler: schedulerCommand,
    delayed: delayedCommand,
    schedule: scheduleCommand,
    web: webCommand,
    "worker-process": workerProcessCommand,
  },
});

const runtime = currentRuntime();
// Colour only for a person at a terminal, and never with NO_COLOR set (no-color.org).
const color = Boolean(process.stdout.isTTY) && !runtime.env("NO_COLOR") && runtime.env("TERM") !== "dumb";
const code = await runCli(main, runtime.args(), {
  program: runtime.compiled ? "resque-worker" : "resque",
  version: VERSION,
  // The binary works by default, as stock's `rake resque:work`: QUEUE=a ./resque-worker
  ...(runtime.compiled && { defaultCommand: "work" }),
  color,
  print: (text) => console.log(text),
});
if (code !== undefined) runtime.setExitCode(code);
