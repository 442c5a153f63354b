#!/usr/bin/env node
/** The `resque` command. */
import { defineCommand, runMain } from "citty";
import { VERSION } from "../protocol/version.ts";
import { enqueueCommand } from "./enqueue.ts";
import { workCommand } from "./work.ts";
import { workerProcessCommand } from "./worker-process.ts";

const main = defineCommand({
  meta: { name: "resque", version: VERSION, description: "Resque jobs for Node, Bun and Deno, wire-compatible with Ruby Resque 3.0" },
  subCommands: { work: workCommand, "worker-process": workerProcessCommand, enqueue: enqueueCommand },
});

await runMain(main);
