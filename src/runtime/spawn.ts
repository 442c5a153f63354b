/**
 * Starting copies of the running program. There is no fork(2) in JS runtimes, so a "fork"
 * is the same executable started again: the script under Node, Bun or Deno, or the
 * compiled binary itself (whose argv[1] is a virtual /$bunfs path that cannot be run).
 */
import { spawn } from "node:child_process";
import process from "node:process";
import type { ChildExit, ChildHandle, ParentLink, RuntimeName, SpawnOptions, Spawner } from "./types.ts";

/** Inside a `bun build --compile` binary, argv[1] is a virtual /$bunfs path. */
export const isCompiledBinary = (): boolean => (process.argv[1] ?? "").startsWith("/$bunfs/");

// Our own signals go through the kill this process started with, not a job's guarded one.
const kill = process.kill.bind(process);

/** Send a signal; a process that is already gone is not an error. */
export function sendSignal(pid: number, signal: string): void {
  try {
    kill(pid, `SIG${signal}`);
  } catch {
    // already gone
  }
}

/** The command that starts this program again, before its own arguments. */
export function selfCommand(name: RuntimeName): string[] {
  const script = process.argv[1] ?? "";
  if (name === "bun" && isCompiledBinary()) return [process.execPath];
  if (name === "bun") return [process.execPath, script];
  // Deno children get all permissions unless told otherwise; name them explicitly.
  if (name === "deno") return [process.execPath, "run", "-A", script];
  return [process.execPath, ...process.execArgv, script];
}

// The title room argument: ignored by the CLI, it only makes the argv area long enough.
export const ROOM_FLAG = "--title-room";

export function spawner(name: RuntimeName): Spawner {
  return {
    spawnSelf(args, options: SpawnOptions = {}): ChildHandle {
      const [command, ...prefix] = selfCommand(name);
      const room = options.titleRoom ? [`${ROOM_FLAG}=${"_".repeat(options.titleRoom)}`] : [];
      const child = spawn(command!, [...prefix, ...args, ...room], {
        env: { ...process.env, ...options.env },
        stdio: options.detached ? "ignore" : ["ignore", "inherit", "inherit", "ipc"],
        detached: (options.detached || options.ownGroup) ?? false,
      });
      if (options.detached) child.unref();
      const exited = new Promise<ChildExit>((resolve) => {
        child.once("exit", (code, signal) => resolve({ code, signal }));
        child.once("error", () => resolve({ code: 127, signal: null }));
      });
      return {
        pid: child.pid ?? -1,
        // Deno's child.kill() sends only the first signal; process.kill works everywhere.
        signal: (sig) => {
          if (child.pid) sendSignal(child.pid, sig);
        },
        onMessage: (handler) => {
          child.on("message", handler);
        },
        exited,
      };
    },

    parent(): ParentLink | undefined {
      if (typeof process.send !== "function") return undefined;
      return {
        send: (message) => {
          if (process.connected) process.send!(message as object);
        },
        onGone: (handler) => {
          let told = false;
          const tell = () => {
            if (told) return;
            told = true;
            clearInterval(watch);
            handler();
          };
          process.once("disconnect", tell);
          // The IPC channel closing is the usual sign. A new parent pid (the orphan was adopted)
          // is a second one, for when that event does not come: in one Deno run of the suite
          // under load, worker processes outlived their SIGKILLed master.
          const parentPid = process.ppid;
          const watch = setInterval(() => {
            if (process.ppid !== parentPid) tell();
          }, 1000);
          watch.unref?.();
        },
      };
    },
  };
}
