/** The one contract the portable core uses for everything process-specific. */
export type RuntimeName = "node" | "bun" | "deno";

export type TrappedSignal = "QUIT" | "TERM" | "INT" | "USR1" | "USR2" | "CONT" | "HUP";

export interface ProcessInfo {
  pid: number;
  command: string;
}

export interface Runtime extends Spawner {
  readonly name: RuntimeName;
  readonly pid: number;
  /** The parent's pid (a master's, for a worker process it started). */
  readonly ppid: number;
  /** Resident set size of this process, in bytes. */
  rss(): number;
  /** True inside a `bun build --compile` binary. */
  readonly compiled: boolean;
  hostname(): string;
  env(name: string): string | undefined;
  cwd(): string;
  /** The program's own arguments (after the runtime and script, or after a compiled binary's name). */
  args(): string[];
  /** Make `ps` show `title` (Node and Deno set process.title; Bun, where that does not reach `ps`, rewrites argv and comm). */
  setTitle(title: string): void;
  /** Trap a signal; returns the function that removes the trap. */
  onSignal(signal: TrappedSignal, handler: () => void): () => void;
  /** Processes on this host with their command lines (stock prunes by these). */
  processes(): ProcessInfo[];
  /** Import a module by a path relative to cwd or absolute. */
  importModule(path: string): Promise<Record<string, unknown>>;
  exit(code: number): never;
  /** Set the exit code and let the process end when nothing is left to do (pending output is written). */
  setExitCode(code: number): void;
  /** Send a signal to a process (Deno's child.kill() only sends once, so everything uses this). */
  kill(pid: number, signal: TrappedSignal | "KILL"): void;
  /**
   * From now on, every signal this process's code sends (process.kill, Deno.kill) is first put
   * to `rule` with the target pid and the signal's name without "SIG" ("TERM", "KILL", "0");
   * an Error it returns is thrown to the caller instead of sending the signal.
   */
  guardSignals(rule: SignalRule): void;
}

/** Decides whether a signal may be sent: undefined lets it go, an Error refuses it. */
export type SignalRule = (pid: number, signal: string) => Error | undefined;

export interface ChildExit {
  code: number | null;
  /** "SIGKILL" etc. when a signal ended it. */
  signal: string | null;
}

/** A copy of this program started in another role. */
export interface ChildHandle {
  readonly pid: number;
  signal(signal: TrappedSignal | "KILL"): void;
  onMessage(handler: (message: unknown) => void): void;
  readonly exited: Promise<ChildExit>;
}

/** The channel to the process that started this one, when there is one. */
export interface ParentLink {
  send(message: unknown): void;
  /** Called once when the parent is gone (its channel closed). */
  onGone(handler: () => void): void;
}

export interface SpawnOptions {
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Bytes of argv room to reserve for the child's process title. */
  titleRoom?: number;
  /** Start it in its own session with no terminal and no IPC, and let this process exit (BACKGROUND). */
  detached?: boolean;
  /**
   * Start it as the leader of its own process group (a new session), still with its IPC channel:
   * a signal sent to its group (`kill(0, ...)` in a job) then stays inside it, and the terminal's
   * Ctrl-C reaches only this process, which relays it.
   */
  ownGroup?: boolean;
}

export interface Spawner {
  /** Start this same program (script or compiled binary) with `args`. */
  spawnSelf(args: readonly string[], options?: SpawnOptions): ChildHandle;
  parent(): ParentLink | undefined;
}
