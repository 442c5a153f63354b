/**
 * One worker process, Sidekiq-style in three parts: the Lifecycle (lifecycle.ts) makes it a
 * process others can see (heartbeat, prune, registration); the Cycles (cycles.ts) fetch jobs and
 * record the finished ones, one Redis round trip each; this class runs the loop, whose every
 * choice is decided by loop-decision.ts, and the jobs: up to THREAD_COUNT at once, a suspect job
 * alone, until stopped or its JOBS_PER_FORK batch or MAX_WORKER_RSS says drain.
 */
import { errorMessage } from "../protocol/backtrace.ts";
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import { pausedTitle, processingTitle, STARTING_TITLE, waitingTitle } from "../protocol/procline.ts";
import { epochSeconds } from "../protocol/time.ts";
import { workerId } from "../protocol/worker-id.ts";
import type { TakenJob } from "../store/workers.ts";
import { Cycles } from "./cycles.ts";
import { IdleWait } from "./idle-wait.ts";
import { startLine } from "./job-lines.ts";
import { Lifecycle } from "./lifecycle.ts";
import { decideLoop, isStopping, releasesTaken, type StopMode } from "./loop-decision.ts";
import { MemoryCheck, MiB } from "./memory-check.ts";
import { resolveOptions, type ResolvedOptions, type WorkerOptions } from "./options.ts";
import { Processor } from "./processor.ts";
import { QueueSelection } from "./queue-selection.ts";
import { RunningJob, type DeadlineReport } from "./running-job.ts";
import { trapTable } from "../runtime/trap-table.ts";
import { INLINE_WORKER_SIGNALS } from "./signal-table.ts";

export type { WorkerOptions } from "./options.ts";

export class Worker {
  readonly id: string;
  readonly #o: ResolvedOptions;
  readonly #queues: QueueSelection;
  readonly #cycles: Cycles;
  readonly #life: Lifecycle;
  readonly #processor: Processor;
  readonly #memory: MemoryCheck;
  readonly #idle: IdleWait;
  readonly #running = new Set<RunningJob>();
  /** A suspect job (one a worker died running) is running: take nothing else until it ends. */
  #solo: RunningJob | undefined;
  #taken = 0;
  #stopMode: StopMode = "none";
  #paused = false;
  #exitHooks = false;
  #untrap: (() => void)[] = [];
  /** What ended the loop by throwing: the jobs in flight then are charged (see #finish). */
  #crash: { error: unknown } | undefined;

  constructor(options: WorkerOptions) {
    const o = resolveOptions(options);
    this.#o = o;
    this.#queues = new QueueSelection(options.queues);
    this.id = workerId(o.runtime.hostname(), o.runtime.pid, this.#queues.configured);
    this.#idle = new IdleWait(o.db, o.maxInterval);
    this.#memory = new MemoryCheck(o.runtime, o.maxRss);
    this.#cycles = new Cycles({
      db: o.db,
      id: this.id,
      log: o.log,
      now: o.now,
      queues: this.#queues,
      runningEntries: () => [...this.#running].map((r) => r.entry),
      durableAck: o.durableAck,
      wake: () => this.#poke(),
    });
    this.#processor = new Processor({
      o,
      id: this.id,
      cycles: this.#cycles,
      free: (running) => this.#forget(running),
      poke: () => this.#poke(),
    });
    this.#life = new Lifecycle({
      o,
      id: this.id,
      queues: this.#queues,
      running: () => this.#running,
      onKill: (tokens) => this.kill(tokens),
      checkDeadlines: () => this.#processor.checkDeadlines(this.#running),
    });
  }

  /** Jobs or workerExit hooks are running: user code, which a stop waits for (see cli/roles/stop-wait.ts). */
  get busy(): boolean {
    return this.#running.size > 0 || this.#exitHooks;
  }

  /** Finish the jobs in flight, take no more, then exit the loop (QUIT). */
  shutdown(): void {
    const was = this.#stopMode;
    if (was === "none" || was === "drain") this.#stopMode = "quit";
    if (was !== "none") return;
    this.#runHooksQuietly("shutdown");
    this.#poke();
  }

  /**
   * Stop now (TERM aimed at a worker process): unregister, and hand the jobs in flight back to
   * their queues without counting toward poison (at most once: record them as DirtyExit). The
   * caller ends the process; those jobs' promises are abandoned and will run again elsewhere.
   */
  async abandon(reason: string): Promise<void> {
    this.#stopMode = "abandon";
    await this.#stopTimers();
    // Jobs that finished but are not yet recorded are recorded first, so they do not run again.
    if (this.#cycles.finished > 0 || this.#cycles.hasMetrics) await this.#cycles.now(true);
    await this.#life.unregister(reason);
  }

  /** Stop taking jobs until `unpause` (USR2 / CONT). */
  pause(): void {
    if (this.#paused) return;
    this.#runHooksQuietly("beforePause", this);
    this.#paused = true;
  }

  unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#runHooksQuietly("afterPause", this);
    this.#poke();
  }

  /**
   * Trap the signals of an inline worker (DONT_FORK; see signal-table.ts). A worker process under
   * a master traps its own (src/cli/roles/worker-process.ts).
   */
  trapSignals(): void {
    const { runtime, log } = this.#o;
    this.#untrap.push(
      trapTable(runtime, INLINE_WORKER_SIGNALS, {
        // Before it registers (say, waiting for a Redis that never answered) it holds no job: a stop
        // signal ends the process at once instead of waiting on Redis for ever.
        finishAndExit: () => (this.#life.registered ? this.shutdown() : runtime.exit(0)),
        pause: () => this.pause(),
        resume: () => this.unpause(),
        noChildToKill: () => log.info("USR1: no separate job process to kill in a single worker process"),
      }),
    );
  }

  /** Run until shutdown (or, with INTERVAL=0, until the queues are empty). */
  async work(): Promise<void> {
    this.#o.runtime.setTitle(STARTING_TITLE);
    await this.#life.beat();
    try {
      await this.#life.recoverDead();
      for (const hook of this.#o.registry.workerHooks("beforeFirstFork")) await hook();
      await this.#life.register();
      this.#o.log.info(`Starting worker ${this.id}`);
      await this.#loop();
    } catch (error) {
      this.#crash = { error };
      throw error;
    } finally {
      await this.#finish();
    }
  }

  /**
   * Cycles are sent from here and their replies handled here, in order; what to do next is
   * decideLoop's choice. While work flows, two cycles are in flight, each asking for half the
   * slots: one is in Redis while the other's jobs run, so neither side waits on the other.
   */
  async #loop(): Promise<void> {
    let interval = this.#o.minInterval;
    let worked = false;
    let flowing = false;
    for (;;) {
      const reply = this.#cycles.next();
      if (reply === "lost") continue;
      if (reply) {
        if (reply.unregistered) await this.#life.registerAgain();
        const taken = await this.#accept(reply.taken, reply.solo);
        // Took all it asked for: more are likely queued, so the next cycle may go before it is
        // needed. Took some: the queues ran dry, so a cycle ahead would only find them empty.
        flowing = taken.length > 0 && taken.length >= reply.want;
        if (taken.length > 0) {
          interval = this.#o.minInterval;
          worked = true;
          this.#showWork();
          continue;
        }
      }
      this.#cycles.noticeFailover();
      const step = decideLoop({
        stop: this.#stopMode,
        paused: this.#paused,
        solo: this.#solo !== undefined,
        running: this.#running.size,
        finished: this.#cycles.finished,
        threads: this.#o.threads,
        maxJobs: this.#o.maxJobs,
        taken: this.#taken,
        inFlight: this.#cycles.inFlight,
        asked: this.#cycles.asked,
        lost: this.#cycles.lost,
        flowing,
        worked,
        exitWhenEmpty: this.#o.interval === 0,
        ...(reply && { emptyReply: { want: reply.want, paused: reply.paused } }),
      });
      switch (step.do) {
        case "send":
          this.#cycles.send(step.want, isStopping(this.#stopMode));
          break;
        case "reconcile":
          await this.#accept(await this.#cycles.reconcile(), false);
          break;
        case "next":
          break;
        case "wait":
          await this.#idle.wait(undefined); // until a job finishes, a reply arrives, or a poke
          break;
        case "idle":
          await this.#idle.wait(interval, step.watch ? this.#queues.resolved() : undefined);
          break;
        case "rest":
        case "stop":
          if (step.queueEmpty) {
            worked = false;
            for (const hook of this.#o.registry.workerHooks("queueEmpty")) await hook();
          }
          if (step.do === "stop") return;
          await this.#rest(interval, step.paused, step.watch ? this.#queues.resolved() : undefined);
          if (step.backoff) interval = Math.min(interval + this.#o.backoffInterval, this.#o.maxInterval);
          break;
      }
    }
  }

  /** Idle with nothing running: say so in the title, then wait up to `seconds` (on `watch`, if given). */
  async #rest(seconds: number, paused: boolean, watch?: string[]): Promise<void> {
    const { runtime, proclinePrefix, log } = this.#o;
    runtime.setTitle(paused ? pausedTitle(proclinePrefix) : waitingTitle(this.#queues.resolved(), proclinePrefix));
    log.debug(`Sleeping for ${seconds} seconds`);
    await this.#idle.wait(seconds, watch);
  }

  /** Start the jobs a cycle took; returns them (none if asked to stop: they go back to their queues). */
  async #accept(reserved: TakenJob[], solo: boolean): Promise<TakenJob[]> {
    // Asked to stop while the reply was on its way: those jobs go back to the head of their queues.
    const taken = releasesTaken(this.#stopMode) ? await this.#cycles.release(reserved) : reserved;
    this.#idle.took(taken.length);
    for (const job of taken) this.#start(job, solo);
    this.#taken += taken.length;
    if (isStopping(this.#stopMode)) return taken;
    // The batch is taken, or the process grew past MAX_WORKER_RSS: finish and exit, so the
    // process's memory goes back to the OS (the master starts the replacement now).
    const grown = taken.length > 0 && this.#memory.grown();
    if (this.#taken >= this.#o.maxJobs || grown) {
      if (grown)
        this.#o.log.warn(
          `Resident memory ${grown} MiB is past MAX_WORKER_RSS (${this.#o.maxRss / MiB} MiB): finishing the jobs in flight, then a fresh process takes over`,
        );
      this.#stopMode = "drain";
      this.#o.onDraining();
    }
    return taken;
  }

  /** Give a job a slot (the solo slot, for a suspect) and run it. */
  #start(taken: TakenJob, solo: boolean): void {
    const payload = decodePayload(taken.payload);
    const running = new RunningJob(taken, isMalformed(payload) ? "<Malformed>" : payload.className);
    this.#running.add(running);
    if (solo) this.#solo = running;
    if (this.#o.logJobs) this.#o.log.info(startLine(running, payload));
    this.#processor.run(running, taken, payload);
  }

  /** No longer running: free its slot (and the solo slot a suspect holds). */
  #forget(running: RunningJob): void {
    this.#running.delete(running);
    if (this.#solo === running) this.#solo = undefined;
  }

  /** The dashboard asked to kill jobs of this process (entry tokens, or "*"); see Processor.kill. */
  kill(tokens: readonly string[]): void {
    this.#processor.kill(tokens, this.#running);
  }

  /** Running jobs with a deadline, for the master's watchdog. */
  deadlines(): DeadlineReport[] {
    const reports: DeadlineReport[] = [];
    for (const running of this.#running) {
      const report = running.report();
      if (report) reports.push(report);
    }
    return reports;
  }

  #showWork(): void {
    const running = [...this.#running];
    const first = running[0];
    if (!first) return;
    const since = epochSeconds(this.#o.now());
    this.#o.runtime.setTitle(
      processingTitle(
        first.queue,
        since,
        running.map((r) => r.className),
        this.#o.proclinePrefix,
      ),
    );
  }

  #poke(): void {
    this.#idle.poke();
  }

  async #stopTimers(): Promise<void> {
    this.#idle.close();
    await this.#life.stopTimers();
  }

  async #finish(): Promise<void> {
    for (const untrap of this.#untrap.splice(0)) untrap();
    // The last metrics go with one more cycle that takes nothing.
    if (this.#life.registered && this.#cycles.hasMetrics) {
      await this.#cycles
        .now(isStopping(this.#stopMode))
        .catch((e: unknown) => this.#o.log.warn(`Could not write the last job metrics: ${errorMessage(e)}`));
    }
    await this.#stopTimers();
    // Jobs still in flight here are the ones an exception interrupted: charged as a crash.
    await this.#life.unregister(undefined, this.#crash);
    this.#exitHooks = true;
    try {
      for (const hook of this.#o.registry.workerHooks("workerExit")) await hook();
    } finally {
      this.#exitHooks = false;
    }
  }

  #runHooksQuietly(name: "shutdown" | "beforePause" | "afterPause", arg?: unknown): void {
    for (const hook of this.#o.registry.workerHooks(name)) {
      Promise.resolve()
        .then(() => (hook as (a?: unknown) => unknown)(arg))
        .catch((e: unknown) => this.#o.log.error(`${name} hook failed: ${errorMessage(e)}`));
    }
  }
}
