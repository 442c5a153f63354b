/**
 * The worker's processor: runs a job it is handed and settles its outcome for the next cycle
 * (done, failed, retried, timed out, killed). The slot the job holds belongs to the worker, which
 * is told (`free`) when the job no longer holds it.
 */
import { errorMessage, exceptionName } from "../protocol/backtrace.ts";
import type { decodePayload } from "../protocol/payload.ts";
import { entryToken } from "../protocol/token.ts";
import { KILL_ALL } from "../store/processes.ts";
import type { TakenJob } from "../store/workers.ts";
import type { Cycles } from "./cycles.ts";
import { killedWrite, thrownWrite, timeoutWrite, type RecordContext } from "./failure-writes.ts";
import { outcomeLine } from "./job-lines.ts";
import type { ResolvedOptions } from "./options.ts";
import { performJob } from "./perform.ts";
import { settleAll, settleJobs } from "./recover.ts";
import { resolveRun } from "./resolve-job.ts";
import { startRetryRun } from "./retry.ts";
import type { RunningJob } from "./running-job.ts";

export interface ProcessorContext {
  o: ResolvedOptions;
  id: string;
  cycles: Cycles;
  /** The job no longer holds its slot. */
  free: (running: RunningJob) => void;
  /** Something changed that the loop may act on: wake it. */
  poke: () => void;
}

export class Processor {
  readonly #c: ProcessorContext;
  readonly #records: RecordContext;

  constructor(context: ProcessorContext) {
    this.#c = context;
    this.#records = { id: context.id, now: context.o.now, log: context.o.log };
  }

  /** Run a job in the slot `running` holds; its outcome is settled when its promise does. */
  run(running: RunningJob, taken: TakenJob, payload: ReturnType<typeof decodePayload>): void {
    const { o } = this.#c;
    const run = async () => {
      const { job, args, activeJob } = resolveRun(o.registry, taken, payload);
      running.arm(job, o.jobTimeout);
      running.activeJob = activeJob;
      // A Rails job retries the Rails way (retry_on, in Ruby); resque-retry's keys would name the wrapper.
      if (!activeJob) running.retry = await startRetryRun(o.db, job, taken.payload);
      await performJob(job, args, running);
    };
    run()
      .then(
        () => this.#settled(running, undefined),
        (error: unknown) => this.#settled(running, { error }),
      )
      .catch((error: unknown) => o.log.error(`Could not record the outcome of ${running.className}: ${errorMessage(error)}`))
      .finally(() => this.#c.poke());
  }

  /** Abort the signal of each job past its deadline; unsupervised, fail the ones that ignore it. */
  checkDeadlines(running: Iterable<RunningJob>): void {
    const { o } = this.#c;
    const now = Date.now();
    for (const job of running) {
      if (job.expire(now)) o.log.warn(`${job.className} passed its ${job.timeout} s timeout; its signal is aborted`);
      // Supervised, the master kills this process instead (it can also when the event loop is stuck).
      if (o.supervised || !job.overdue(now)) continue;
      job.abandoned = true;
      this.#c.free(job);
      o.log.warn(`${job.className} ignored its aborted signal; it is failed and abandoned (its code may still be running)`);
      this.#timedOut(
        job,
        "it did not stop when its signal aborted and was abandoned (its code may still be running; run workers under a master to have the process replaced)",
      );
      this.#c.poke();
    }
  }

  /**
   * The dashboard asked to kill jobs of this process (entry tokens, or "*"). Supervised, the
   * master kills the process and charges only them; alone (DONT_FORK), they fail here as a
   * timeout would, their promises abandoned, and the other jobs keep running.
   */
  kill(tokens: readonly string[], jobs: Iterable<RunningJob>): void {
    const { o } = this.#c;
    const all = tokens.includes(KILL_ALL);
    const targets = [...jobs].filter((r) => all || tokens.includes(entryToken(r.entry)));
    if (targets.length === 0) {
      o.log.info("Kill request for a job this process no longer runs; ignored");
      return;
    }
    if (o.supervised) {
      o.log.warn(`Killed from the dashboard: ${targets.map((r) => r.className).join(", ")}; asking the master to kill this process`);
      o.onKill(targets.map((r) => ({ token: entryToken(r.entry), startedMs: r.startedAt })));
      return;
    }
    for (const running of targets) {
      running.abandoned = true;
      this.#c.free(running);
      this.#c.o.log.warn(`${running.className} was killed from the dashboard; it is failed and abandoned (its code may still be running)`);
      this.#c.cycles.count(running.metricsClass, Date.now() - running.startedAt, true);
      this.#c.cycles.failed(killedWrite(this.#records, running));
    }
    this.#c.poke();
  }

  /** A job's promise settled: record its outcome, unless the worker already settled it (abandoned past its deadline). */
  #settled(running: RunningJob, failure: { error: unknown } | undefined): void {
    const { o, cycles } = this.#c;
    if (running.abandoned) return;
    this.#c.free(running);
    if (o.logJobs) o.log.info(outcomeLine(running, failure));
    if (!failure || !running.timedOut) cycles.count(running.metricsClass, Date.now() - running.startedAt, failure !== undefined);
    if (!failure) {
      cycles.succeeded(running.entry, running.retry?.count);
      return;
    }
    // Rejected after its deadline aborted it: that is the timeout, whatever it threw.
    if (running.timedOut) {
      const thrown = `${exceptionName(failure.error)}: ${errorMessage(failure.error)}`;
      this.#timedOut(running, `it stopped when its signal aborted (${thrown})`);
      return;
    }
    cycles.failed(thrownWrite(this.#records, running, failure.error));
  }

  /** A job past its deadline: fail it as Resque::JobTimeout, or (retryOnTimeout) put it back counted. */
  #timedOut(running: RunningJob, what: string): void {
    const { o, cycles } = this.#c;
    cycles.count(running.metricsClass, Date.now() - running.startedAt, true);
    if (!running.retryOnTimeout) {
      cycles.failed(timeoutWrite(this.#records, running, what));
      return;
    }
    settleJobs(o.db, this.#c.id, [running.entry], {
      policy: o.recovery,
      settle: settleAll("counted"),
      at: o.now(),
      reason: `it ran past its ${running.timeout ?? 0} s timeout`,
    }).catch((error: unknown) => o.log.error(`Could not put back ${running.className} after its timeout: ${errorMessage(error)}`));
  }
}
