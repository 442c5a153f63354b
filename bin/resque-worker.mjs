#!/usr/bin/env node
// `resque-worker`: the same CLI, working by default like the compiled binary and stock's
// `rake resque:work`: with no command, or only flags, it runs `work`
// (QUEUE=mail npx resque-worker --require ./jobs.js).
const first = process.argv[2];
const asksForHelp = ["--help", "-h", "--version", "-v"].includes(first ?? "");
if (first === undefined || (first.startsWith("-") && !asksForHelp)) process.argv.splice(2, 0, "work");
await import("./resque.mjs");
