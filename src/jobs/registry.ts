/** The jobs and worker hooks a process knows, by class name. */
import { isJob, type Job } from "./define.ts";
import { isWorkerHooks, type WorkerHookName, type WorkerHooks } from "./worker-hooks.ts";

export class JobRegistry {
  readonly #jobs = new Map<string, Job>();
  readonly #hooks: WorkerHooks[] = [];

  register(...jobs: Job[]): this {
    for (const job of jobs) this.#jobs.set(job.className, job);
    return this;
  }

  addWorkerHooks(hooks: WorkerHooks): this {
    this.#hooks.push(hooks);
    return this;
  }

  /** Find a job; like stock's constantize, "mailer-deliver" also finds "MailerDeliver". */
  get(className: string): Job | undefined {
    const name = className.startsWith("::") ? className.slice(2) : className;
    return this.#jobs.get(name) ?? this.#jobs.get(camelize(name));
  }

  get names(): string[] {
    return [...this.#jobs.keys()].sort();
  }

  workerHooks(name: WorkerHookName): ((...args: never[]) => unknown)[] {
    return this.#hooks.flatMap((h) => (h[name] ? [h[name].bind(h) as (...args: never[]) => unknown] : []));
  }

  /** Register every job and worker-hooks object a module exports (named, default, or in arrays/objects). */
  registerModule(moduleNamespace: Record<string, unknown>): number {
    const before = this.#jobs.size + this.#hooks.length;
    const visit = (value: unknown, depth: number): void => {
      if (isJob(value)) this.register(value);
      else if (isWorkerHooks(value)) this.addWorkerHooks(value);
      else if (depth < 2 && Array.isArray(value)) for (const v of value) visit(v, depth + 1);
      else if (depth < 2 && value && typeof value === "object") for (const v of Object.values(value)) visit(v, depth + 1);
    };
    for (const value of Object.values(moduleNamespace)) visit(value, 0);
    return this.#jobs.size + this.#hooks.length - before;
  }
}

const camelize = (name: string) =>
  name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
