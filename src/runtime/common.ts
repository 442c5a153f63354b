/**
 * The parts of the adapter all three runtimes share through their Node-compatible modules
 * (Bun and Deno both implement node:os, node:fs and node:process for these calls).
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { guardSignals } from "./signal-guard.ts";
import { isCompiledBinary, sendSignal, spawner } from "./spawn.ts";
import type { ProcessInfo, Runtime, RuntimeName, TrappedSignal } from "./types.ts";

/** /proc when there is one (no child process needed), else `ps` like stock. */
export function listProcesses(): ProcessInfo[] {
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => {
        try {
          const command = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0+$/, "").replaceAll("\0", " ");
          return [{ pid: Number(name), command }];
        } catch {
          return []; // the process ended while we looked
        }
      });
  } catch {
    const out = execFileSync("ps", ["-A", "-o", "pid=,command="], { encoding: "utf8" });
    return out.split("\n").flatMap((line) => {
      const match = /^\s*(\d+)\s+(.*)$/.exec(line);
      return match ? [{ pid: Number(match[1]), command: match[2]! }] : [];
    });
  }
}

export function commonRuntime(name: RuntimeName, setTitle: (title: string) => void): Runtime {
  return {
    ...spawner(name),
    name,
    pid: process.pid,
    get ppid() {
      return process.ppid;
    },
    // Bun and Deno implement memoryUsage() through node:process (Node's cheaper .rss() is in node.ts).
    rss: () => process.memoryUsage().rss,
    compiled: isCompiledBinary(),
    hostname: () => hostname(),
    env: (key) => process.env[key],
    cwd: () => process.cwd(),
    // Node, Deno, Bun and Bun's compiled binaries all put the program's arguments from argv[2] on.
    args: () => process.argv.slice(2),
    setTitle: unlessUnchanged(setTitle),
    onSignal(signal: TrappedSignal, handler: () => void) {
      const sig = `SIG${signal}` as NodeJS.Signals;
      process.on(sig, handler);
      return () => {
        process.off(sig, handler);
      };
    },
    processes: listProcesses,
    importModule: (path) => import(pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path)).href),
    exit: (code) => process.exit(code),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    kill: sendSignal,
    guardSignals,
  };
}

/**
 * Skip a title equal to the one shown: a busy worker sets the same "Processing <q> since <second>"
 * for every job started within a second, and each set costs system calls (several in Bun, which
 * rewrites argv and comm through /proc: 40% of a no-op job's CPU when every set was written).
 */
function unlessUnchanged(setTitle: (title: string) => void): (title: string) => void {
  let shown: string | undefined;
  return (title) => {
    if (title === shown) return;
    shown = title;
    setTitle(title);
  };
}

/** /proc/self/comm (15 bytes) is writable on Linux in every runtime: the short name `ps -o comm` shows. */
let commShown: string | undefined;
export function writeComm(title: string): void {
  const comm = title.slice(0, 15);
  if (comm === commShown) return; // titles differ after their first 15 bytes far more often than in them
  commShown = comm;
  try {
    writeFileSync("/proc/self/comm", comm);
  } catch {
    // not Linux, or not permitted: the title is cosmetic there
  }
}

/** Where the kernel keeps this process's argv: fixed for its life, so read once. */
let argvArea: { start: number; end: number } | undefined;
function readArgvArea(): { start: number; end: number } {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 48 and 49 of /proc/<pid>/stat; the list above starts at field 3.
  return { start: Number(fields[45]), end: Number(fields[46]) };
}

/**
 * Rewrite this process's argv area in place (what `ps -o args` and /proc/<pid>/cmdline read),
 * for runtimes whose process.title never reaches the OS (Bun). The room is the original
 * command line's length; never write past it into the environment strings.
 */
export function writeArgvArea(title: string): void {
  try {
    const { start, end } = (argvArea ??= readArgvArea());
    if (!(end > start)) return;
    const room = end - start;
    const bytes = new TextEncoder().encode(title).slice(0, room - 1);
    const buffer = new Uint8Array(room).fill(0x20);
    buffer.set(bytes);
    buffer[bytes.length] = 0; // cmdline then reads exactly the title
    const fd = openSync("/proc/self/mem", "r+");
    try {
      writeSync(fd, buffer, 0, room, start);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not Linux, or /proc/self/mem not writable: the title is cosmetic there
  }
}
