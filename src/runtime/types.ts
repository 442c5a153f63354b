/** The one contract the portable core uses for everything process-specific. */
export type RuntimeName = "node" | "bun" | "deno";

export type TrappedSignal = "QUIT" | "TERM" | "INT" | "USR1" | "USR2" | "CONT";

export interface ProcessInfo {
  pid: number;
  command: string;
}

export interface Runtime {
  readonly name: RuntimeName;
  readonly pid: number;
  hostname(): string;
  env(name: string): string | undefined;
  cwd(): string;
  /** Make `ps` show `title` (the process model issue widens this to every runtime's argv area). */
  setTitle(title: string): void;
  /** Trap a signal; returns the function that removes the trap. */
  onSignal(signal: TrappedSignal, handler: () => void): () => void;
  /** Processes on this host with their command lines (stock prunes by these). */
  processes(): ProcessInfo[];
  /** Import a module by a path relative to cwd or absolute. */
  importModule(path: string): Promise<Record<string, unknown>>;
  exit(code: number): never;
}
