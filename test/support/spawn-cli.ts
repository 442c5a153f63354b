/** Start `resque` (src/cli/main.ts) as a child under the same runtime as the test. */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { detectRuntimeName } from "../../src/runtime/detect.ts";

const root = new URL("../../", import.meta.url).pathname;

const spawned = new Set<ChildProcess>();

/** Kill whatever a failed test left running (called after each test file). */
export function killSpawned(): void {
  for (const child of spawned) {
    try {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  spawned.clear();
}

/** The command line that runs `resque args` under the test's runtime (or RESQUE_TEST_BINARY, the compiled resque-worker). */
export function cliCommand(args: readonly string[]): [string, ...string[]] {
  const binary = process.env["RESQUE_TEST_BINARY"];
  if (binary) return [binary, ...args];
  const cli = `${root}src/cli/main.ts`;
  const argv = {
    node: ["--import", "tsx", cli, ...args],
    bun: [cli, ...args],
    deno: ["run", "-A", cli, ...args],
  }[detectRuntimeName()];
  return [process.execPath, ...argv];
}

/** `ownGroup`: start it as a terminal starts a command, leading its own process group (signal the group with kill(-pid)). */
export function spawnCli(args: string[], env: Record<string, string>, withStdin = false, ownGroup = false): ChildProcess {
  const stdio: ["pipe" | "ignore", "pipe", "pipe"] = [withStdin ? "pipe" : "ignore", "pipe", "pipe"];
  const [command, ...argv] = cliCommand(args);
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio, detached: ownGroup });
  spawned.add(child);
  return child;
}

/** Its exit code (null when a signal ended it); a child already ended, by either, resolves at once. */
export const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );

/** The exit code, once stdout and stderr (both being read) have ended too; Deno's "close" can fail to come after stdin was written. */
export function finished(child: ChildProcess): Promise<number | null> {
  const ended = (stream: NodeJS.ReadableStream | null) => (stream ? new Promise((resolve) => stream.once("end", resolve)) : undefined);
  return Promise.all([exited(child), ended(child.stdout), ended(child.stderr)]).then(([code]) => code);
}

/** What `ps` shows for the process (its rewritten title). */
export const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
};

/**
 * Whether process `pid` has exited: no /proc entry, or a zombie waiting to be reaped. Not "its
 * cmdline reads empty", which a failed read also gives: in one full run under Deno a worker process
 * was taken for gone that way while its registration was still there (not reproduced since).
 */
export const processGone = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
};

/** The pids whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // The field after the parenthesised command name: state, then ppid.
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Poll until `check` holds; the suite's own timeout is the only limit. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  tries = 600,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** `resque work` with the test jobs module, reporting to `reportKey` (the fixtures in test/fixtures/jobs.ts). */
export function spawnWork(options: {
  url: string;
  namespace: string;
  reportKey: string;
  queue: string;
  env?: Record<string, string>;
}): ChildProcess {
  return spawnCli(["work", "--require", "test/fixtures/jobs.ts"], {
    QUEUE: options.queue,
    INTERVAL: "0.05",
    REDIS_URL: options.url,
    RESQUE_NAMESPACE: options.namespace,
    TEST_REPORT_URL: options.url,
    TEST_REPORT_KEY: options.reportKey,
    ...options.env,
  });
}

/** Run `resque args` to the end: exit code, stdout and stderr; `input` (text or bytes) goes to stdin. */
export async function runToEnd(
  args: string[],
  env: Record<string, string>,
  input?: string | Uint8Array,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawnCli(args, env, input !== undefined);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  if (input !== undefined) child.stdin?.end(input);
  const code = await finished(child);
  return { code, out, err };
}
