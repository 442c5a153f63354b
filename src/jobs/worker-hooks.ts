/** Stock's worker hooks (Resque.before_first_fork etc.), camelCased; several may be given per name. */
export interface WorkerHooks {
  beforeFirstFork?: () => unknown;
  beforeFork?: (job: unknown) => unknown;
  afterFork?: (job: unknown) => unknown;
  queueEmpty?: () => unknown;
  shutdown?: () => unknown;
  workerExit?: () => unknown;
  beforePause?: (worker: unknown) => unknown;
  afterPause?: (worker: unknown) => unknown;
}

export type WorkerHookName = keyof WorkerHooks;

const HOOKS = Symbol.for("resque.workerHooks");

export type DefinedWorkerHooks = WorkerHooks & { readonly [HOOKS]: true };

/** Worker hooks to export from a jobs module. */
export const defineWorkerHooks = (hooks: WorkerHooks): DefinedWorkerHooks => Object.freeze({ ...hooks, [HOOKS]: true as const });

export const isWorkerHooks = (value: unknown): value is DefinedWorkerHooks =>
  typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[HOOKS] === true;
