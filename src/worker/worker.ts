/**
 * One worker process: register as a stock worker, then cycle (finish jobs + reserve up to
 * THREAD_COUNT, one Redis round trip), run jobs concurrently, unregister on the way out.
 */
import { errorMessage, errorStack, exceptionName, rubyBacktrace } from "../protocol/backtrace.ts";
import { encodeFailure, encodeRetryFailure, DIRTY_EXIT, JOB_TIMEOUT, jobTimeoutMessage, KILLED_MESSAGE } from "../protocol/failure.ts";
import { decodePayload, isMalformed } from "../protocol/payload.ts";
import { doneLine, failedLine, gotLine, jobInspect } from "../protocol/job-log.ts";
import { encodeJson } from "../protocol/json.ts";
import { pausedTitle, processingTitle, STARTING_TITLE, waitingTitle } from "../protocol/procline.ts";
import { parseQueueList, resolveQueues, type QueueList } from "../protocol/queue-list.ts";
import type { ProcessRecord } from "../protocol/process-record.ts";
import { epochSeconds, runAt, startedAt } from "../protocol/time.ts";
import { entryToken } from "../protocol/token.ts";
import { workerId } from "../protocol/worker-id.ts";
import { workingOnPrefix } from "../protocol/working-on.ts";
import type { TrappedSignal } from "../runtime/types.ts";
import { queueNames } from "../store/queues.ts";
import { registerWorker, reserveCycle, type CycleReply, type FailureWrite, type TakenJob } from "../store/workers.ts";
import { KILL_ALL } from "../store/processes.ts";
import { startHeartbeat, type Heartbeat } from "./heartbeat.ts";
import { IdleWait } from "./idle-wait.ts";
import { Tally } from "./tally.ts";
import { PERFORM_MODULE, performJob } from "./perform.ts";
import { pruneDeadWorkers, recoverDeadLocalWorkers } from "./prune.ts";
import { reconcileLostCycles } from "./reconcile.ts";
import { recoverWorker, releaseJobs, settleAll, settleJobs } from "./recover.ts";
import { keepRegistered, type RegistrationWatch } from "./registration.ts";
import { resolveRun } from "./resolve-job.ts";
import { failedRun, startRetryRun } from "./retry.ts";
import { RunningJob, type DeadlineReport } from "./running-job.ts";
import { resolveOptions, type ResolvedOptions, type WorkerOptions } from "./options.ts";

export type { WorkerOptions } from "./options.ts";

/** How often running jobs' deadlines are checked. */
const DEADLINE_CHECK_MS = 250;
/** Per-class metrics ride along with a cycle at most this often (and always with the last one). */
const METRICS_FLUSH_MS = 1000;
/** Resident memory is read at most this often (a read is a system call). */
const RSS_CHECK_MS = 250;
const MiB = 1024 * 1024;
/** Cycles in flight at once while jobs flow (see #loop). */
const CYCLES_IN_FLIGHT = 2;

/** A cycle whose reply never came: what it carried, to reconcile (see reconcile.ts). */
interface LostReply {
  lost: { done: string[]; failures: FailureWrite[]; cleared: string[]; metrics: ReturnType<Tally["take"]> | undefined };
  error: string;
}
type Reply = (CycleReply | LostReply) & { want: number };

export class Worker {
  readonly id: string;
  readonly #o: ResolvedOptions;
  readonly #queues: QueueList;
  #knownQueues: string[] = [];
  readonly #running = new Set<RunningJob>();
  #done: string[] = [];
  #failures: FailureWrite[] = [];
  /** Attempt counts of retrying jobs that succeeded, cleared with their cycle. */
  #cleared: string[] = [];
  /** Per-class metrics of finished jobs not yet written. */
  readonly #tally = new Tally();
  #lastFlush = 0;
  #rssCheckedMs = 0;
  /** Replies (or losses) of cycles sent, for the loop to handle in order. */
  readonly #replies: Reply[] = [];
  /** Cycles sent whose reply the loop has not handled yet, and the slots they asked for. */
  #inFlight = 0;
  #asked = 0;
  /** Lost cycles waiting for the others in flight before they are reconciled. */
  readonly #lost: LostReply[] = [];
  readonly #startedMs = Date.now();
  #shutdown = false;
  /** Shutdown was asked for (QUIT), as opposed to a finished JOBS_PER_FORK batch. */
  #stopAsked = false;
  /** A suspect job (one a worker died running) is running: take nothing else until it ends. */
  #solo: RunningJob | undefined;
  #taken = 0;
  /** Registered in Redis: from here on it may hold jobs, so stopping must go through shutdown. */
  #registered = false;
  #paused = false;
  #exitHooks = false;
  readonly #idle: IdleWait;
  #heartbeat: Heartbeat | undefined;
  #registration: RegistrationWatch | undefined;
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #deadlineTimer: ReturnType<typeof setInterval> | undefined;
  #untrap: (() => void)[] = [];
  /** What ended the loop by throwing: the jobs in flight then are charged (see #stop). */
  #crash: { error: unknown } | undefined;

  constructor(options: WorkerOptions) {
    this.#o = resolveOptions(options);
    this.#queues = parseQueueList(options.queues);
    this.id = workerId(this.#o.runtime.hostname(), this.#o.runtime.pid, this.#queues.configured);
    this.#idle = new IdleWait(this.#o.db, this.#o.maxInterval);
  }

  /** Jobs or workerExit hooks are running: user code, which a stop waits for (see cli/stop-wait.ts). */
  get busy(): boolean {
    return this.#running.size > 0 || this.#exitHooks;
  }

  /** Finish the jobs in flight, take no more, then exit the loop (QUIT). */
  shutdown(): void {
    this.#stopAsked = true;
    if (this.#shutdown) return;
    this.#shutdown = true;
    this.#runHooksQuietly("shutdown");
    this.#poke();
  }

  /**
   * Stop now (TERM aimed at a worker process): unregister, and hand the jobs in flight back to
   * their queues without counting toward poison (at most once: record them as DirtyExit). The
   * caller ends the process; those jobs' promises are abandoned and will run again elsewhere.
   */
  async abandon(reason: string): Promise<void> {
    this.#stopAsked = true;
    this.#shutdown = true;
    await this.#stopTimers();
    // Jobs that finished but are not yet recorded are recorded first, so they do not run again.
    if (this.#finished() + this.#tally.size > 0) await this.#cycleNow();
    await this.#handBack(reason);
  }

  /**
   * Unregister, handing the jobs still in flight back to their queues uncounted (FETCH=at-most-once,
   * as stock: recording them as DirtyExit). `reason` is why they were stopped, if anyone stopped them.
   */
  async #handBack(reason?: string, crash?: { error: unknown }): Promise<void> {
    const left = await recoverWorker(this.#o.db, this.id, {
      policy: this.#o.recovery,
      // A crash is a death with these jobs in flight, whatever caused it: charged, so a job that
      // crashes the worker each time it is taken ends as a PoisonJob instead of a crash loop.
      settle: settleAll(crash ? "counted" : "uncounted"),
      dirtyExit: { exception: DIRTY_EXIT, message: () => (reason ? `Job still being processed (${reason})` : "Job still being processed") },
      at: this.#o.now(),
      reason: crash ? `the worker failed: ${errorMessage(crash.error)}` : (reason ?? ""),
    });
    if (crash && left.requeued + left.poisoned + left.failed > 0) {
      this.#o.log.warn(
        `The worker failed with ${left.requeued + left.poisoned + left.failed} job(s) in flight (${errorMessage(crash.error)}): ${left.requeued} back in their queues counted toward RECOVERY_LIMIT, ${left.poisoned} failed as poison, ${left.failed} recorded as failed`,
      );
    } else if (left.requeued + left.failed > 0) {
      this.#o.log.warn(
        `${reason ?? "Stopped"} with unfinished jobs: ${left.requeued} back in their queues, ${left.failed} recorded as failed`,
      );
    }
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

  /** Trap stock's signals for this worker; the process model issue adds process-level kills. */
  trapSignals(): void {
    const on = (signal: TrappedSignal, handler: () => void) => this.#untrap.push(this.#o.runtime.onSignal(signal, handler));
    // One process, no child to kill: TERM and INT finish the jobs in flight, as stock's FORK_PER_JOB=false does.
    // Before it registers (say, waiting for a Redis that never answered) it holds no job: a stop
    // signal ends the process at once instead of waiting on Redis for ever.
    const stop = () => (this.#registered ? this.shutdown() : this.#o.runtime.exit(0));
    for (const signal of ["QUIT", "TERM", "INT"] as const) on(signal, stop);
    on("USR2", () => this.pause());
    on("CONT", () => this.unpause());
    on("USR1", () => this.#o.log.info("USR1: no separate job process to kill in a single worker process"));
  }

  /** Run until shutdown (or, with INTERVAL=0, until the queues are empty). */
  async work(): Promise<void> {
    const { db, runtime, log } = this.#o;
    runtime.setTitle(STARTING_TITLE);
    this.#heartbeat = await startHeartbeat(
      db,
      this.id,
      this.#o.heartbeatInterval,
      (e) => log.warn(`heartbeat failed: ${errorMessage(e)}`),
      {
        interval: Math.min(this.#o.processBeat, this.#o.heartbeatInterval),
        record: () => JSON.stringify(this.#processRecord()),
        onKill: (tokens) => this.kill(tokens),
      },
    );
    try {
      // Jobs of this host's dead workers go back at once, without waiting for stock's prune lock.
      // Under a master, the master did this as it started (and recycled processes must not each
      // SCAN the keyspace again).
      if (!this.#o.supervised) {
        const recovered = await recoverDeadLocalWorkers({
          db,
          id: this.id,
          hostname: runtime.hostname(),
          processes: () => runtime.processes(),
          recovery: this.#o.recovery,
        });
        for (const id of recovered) log.info(`Recovered the unfinished jobs of dead worker ${id} on this host`);
      }
      await this.#prune();
      // Stock prunes only at start-up; ours also looks every heartbeat interval (whoever wins the
      // lock), so the jobs of a host that vanished go back to their queues while workers run.
      this.#pruneTimer = setInterval(() => {
        this.#prune().catch((e: unknown) => log.warn(`pruning dead workers failed: ${errorMessage(e)}`));
      }, this.#o.heartbeatInterval * 1000);
      for (const hook of this.#o.registry.workerHooks("beforeFirstFork")) await hook();
      const started = startedAt(this.#o.now());
      await registerWorker(db, this.id, started);
      this.#registered = true;
      this.#registration = keepRegistered(db, this.id, started, this.#o.registrationCheck, log);
      this.#deadlineTimer = setInterval(() => this.#checkDeadlines(), DEADLINE_CHECK_MS);
      this.#o.onRegistered();
      log.info(`Starting worker ${this.id}`);
      await this.#loop();
    } catch (error) {
      this.#crash = { error };
      throw error;
    } finally {
      await this.#stop();
    }
  }

  async #prune(): Promise<void> {
    const { db, runtime } = this.#o;
    const pruned = await pruneDeadWorkers({
      db,
      id: this.id,
      hostname: runtime.hostname(),
      queues: this.#queues.configured,
      processes: () => runtime.processes(),
      heartbeatInterval: this.#o.heartbeatInterval,
      pruneInterval: this.#o.pruneInterval,
      recovery: this.#o.recovery,
    });
    for (const id of pruned) this.#o.log.info(`Pruned dead worker ${id}; its unfinished jobs were recovered`);
  }

  /**
   * Cycles are sent from here and their replies handled here, in order. While work flows, two
   * cycles are in flight, each asking for half the slots: one is in Redis while the other's jobs
   * run, so neither side waits on the other. When a cycle finds nothing, one cycle at a time again.
   */
  async #loop(): Promise<void> {
    let interval = this.#o.minInterval;
    let wasWorking = false;
    /** The last reply took all it asked for: more are likely, so the next cycle may go before it is needed. */
    let flowing = false;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply) {
        this.#inFlight--;
        this.#asked -= reply.want;
        if ("lost" in reply) {
          this.#lost.push(reply);
          continue;
        }
        const { paused } = reply;
        const taken = await this.#accept(reply.taken, reply.solo);
        // Took all it asked for: more are likely queued, so the next cycle may go before it is
        // needed. Took some: the queues ran dry, so a cycle ahead would only find them empty.
        flowing = taken.length > 0 && taken.length >= reply.want;
        if (taken.length > 0) {
          interval = this.#o.minInterval;
          wasWorking = true;
          this.#showWork();
          continue;
        }
        // Another cycle on its way, or jobs that finished while this one was: not idle yet.
        if (this.#inFlight > 0 || this.#finished() > 0) continue;
        // Asked for jobs and found none: wait on the queues themselves (not while paused, or the
        // jobs it may not take would wake it again and again).
        const watch = reply.want > 0 && !paused && !this.#paused ? this.#resolved() : undefined;
        if (this.#running.size > 0) {
          // Some slots free, nothing queued: wake on a finished job, a new job, or after the interval.
          await this.#idle.wait(interval, watch);
          continue;
        }
        if (this.#shutdown) break;
        if (wasWorking) {
          wasWorking = false;
          for (const hook of this.#o.registry.workerHooks("queueEmpty")) await hook();
        }
        if (this.#o.interval === 0) break;
        await this.#rest(interval, paused || this.#paused, watch);
        interval = Math.min(interval + this.#o.backoffInterval, this.#o.maxInterval);
        continue;
      }
      if (this.#lost.length > 0 && this.#inFlight === 0) {
        // An unknown outcome says nothing about the queues: take what the lost cycles took, then ask again.
        await this.#accept(await this.#reconcile(), false);
        continue;
      }
      const left = this.#o.maxJobs - this.#taken - this.#asked;
      const free =
        this.#shutdown || this.#paused || this.#solo ? 0 : Math.max(0, Math.min(left, this.#o.threads - this.#running.size - this.#asked));
      const finished = this.#finished();
      const quiet = this.#running.size === 0 && finished === 0 && this.#inFlight === 0;
      if (this.#shutdown && quiet) break;
      const room = this.#lost.length === 0 && this.#inFlight < (flowing ? CYCLES_IN_FLIGHT : 1);
      if (room && (finished > 0 || free > 0)) {
        this.#send(flowing ? Math.min(free, Math.ceil(this.#o.threads / CYCLES_IN_FLIGHT)) : free);
        continue;
      }
      if (quiet && this.#paused) {
        // Paused here (USR2) with nothing running: sleep INTERVAL at a time, as stock's paused loop does.
        await this.#rest(interval, true);
        continue;
      }
      await this.#idle.wait(undefined); // until a job finishes, a reply arrives, or a poke
    }
  }

  /** Idle with nothing running: say so in the title, then wait up to `seconds` (on `watch`, if given). */
  async #rest(seconds: number, paused: boolean, watch?: string[]): Promise<void> {
    this.#o.runtime.setTitle(paused ? pausedTitle(this.#o.proclinePrefix) : waitingTitle(this.#resolved(), this.#o.proclinePrefix));
    this.#o.log.debug(`Sleeping for ${seconds} seconds`);
    await this.#idle.wait(seconds, watch);
  }

  #finished(): number {
    return this.#done.length + this.#failures.length;
  }

  /** Send a cycle; its reply (or its loss) is queued for the loop, which it wakes. */
  #send(want: number): void {
    this.#inFlight++;
    this.#asked += want;
    void this.#cycle(want).then((reply) => {
      this.#replies.push({ ...reply, want });
      this.#poke();
    });
  }

  /** Start the jobs a cycle took; returns them (none if asked to stop: they go back to their queues). */
  async #accept(reserved: TakenJob[], solo: boolean): Promise<TakenJob[]> {
    // Asked to stop while the reply was on its way: those jobs go back to the head of their queues.
    const taken = this.#stopAsked ? await this.#release(reserved) : reserved;
    this.#idle.took(taken.length);
    for (const job of taken) this.#start(job, solo);
    this.#taken += taken.length;
    if (this.#shutdown) return taken;
    // The batch is taken, or the process grew past MAX_WORKER_RSS: finish and exit, so the
    // process's memory goes back to the OS (the master starts the replacement now).
    const grown = taken.length > 0 && this.#overMemory();
    if (this.#taken >= this.#o.maxJobs || grown) {
      if (grown)
        this.#o.log.warn(
          `Resident memory ${grown} MiB is past MAX_WORKER_RSS (${this.#o.maxRss / MiB} MiB): finishing the jobs in flight, then a fresh process takes over`,
        );
      this.#shutdown = true;
      this.#o.onDraining();
    }
    return taken;
  }

  /** The resident MiB when past maxRss, read at most every RSS_CHECK_MS (and on the first batch, so a tiny limit still makes progress). */
  #overMemory(): number | undefined {
    if (this.#o.maxRss <= 0) return undefined;
    const now = Date.now();
    if (now - this.#rssCheckedMs < RSS_CHECK_MS) return undefined;
    this.#rssCheckedMs = now;
    const rss = this.#o.runtime.rss();
    return rss > this.#o.maxRss ? Math.round(rss / MiB) : undefined;
  }

  /**
   * Cycles whose replies were lost, reconciled once no other cycle is on its way (one could change
   * the in-flight list between the read and its reply): what they recorded, and what they took.
   */
  async #reconcile(): Promise<TakenJob[]> {
    const lost = this.#lost.splice(0);
    this.#o.log.warn(`Lost a Redis reply (${lost.map((l) => l.error).join("; ")}); checking what was applied`);
    const outcome = await reconcileLostCycles(
      this.#o.db,
      this.id,
      () => this.#heldEntries(),
      lost.map((l) => l.lost),
    );
    lost.forEach(({ lost: batch }, i) => {
      if (outcome.applied[i]) return;
      // Applied or not is only known when jobs finished with it; metrics alone are dropped rather than counted twice.
      if (batch.metrics) this.#tally.restore(batch.metrics);
      this.#done.push(...batch.done);
      this.#failures.push(...batch.failures);
      this.#cleared.push(...batch.cleared);
    });
    return outcome.taken;
  }

  #resolved(): string[] {
    return resolveQueues(this.#queues, this.#knownQueues);
  }

  /** Hand back jobs taken but not started; the ones Redis could not take back are run instead. */
  async #release(jobs: TakenJob[]): Promise<TakenJob[]> {
    if (jobs.length === 0) return jobs;
    try {
      const released = await releaseJobs(
        this.#o.db,
        this.id,
        jobs.map((j) => j.entry),
      );
      this.#o.log.info(`Shutting down: ${released} job(s) taken but not started went back to their queues`);
      return [];
    } catch (error) {
      this.#o.log.warn(`Could not hand back ${jobs.length} unstarted job(s) (${errorMessage(error)}); running them instead`);
      return jobs;
    }
  }

  async #cycle(want: number): Promise<CycleReply | LostReply> {
    const { db } = this.#o;
    const done = this.#done;
    const failures = this.#failures;
    const cleared = this.#cleared;
    this.#done = [];
    this.#failures = [];
    this.#cleared = [];
    const nowMs = Date.now();
    const flush = this.#tally.size > 0 && (want === 0 || this.#shutdown || nowMs - this.#lastFlush >= METRICS_FLUSH_MS);
    const metrics = flush ? this.#tally.take() : undefined;
    if (flush) this.#lastFlush = nowMs;
    try {
      // Glob lists are re-resolved against the `queues` set before each reserve, as stock does.
      if (this.#queues.dynamic && want > 0) this.#knownQueues = await queueNames(db);
      const queues = want > 0 ? this.#resolved() : [];
      const at = runAt(this.#o.now());
      return await reserveCycle(db, {
        id: this.id,
        done,
        failures,
        cleared,
        want,
        queues,
        prefixes: queues.map((q) => workingOnPrefix(q, at)),
        ...(metrics && { metrics, nowMs }),
      });
    } catch (error) {
      return { lost: { done, failures, cleared, metrics }, error: errorMessage(error) };
    }
  }

  /** One cycle outside the loop (the last metrics, or what finished before a hand-back), reconciled if lost. */
  async #cycleNow(): Promise<void> {
    const reply = await this.#cycle(0);
    if (!("lost" in reply)) return;
    // Outside the loop no cycle of its is on its way, unless TERM came mid-loop; then the
    // hand-back that follows returns every in-flight entry anyway.
    this.#lost.push(reply);
    if (this.#inFlight === 0) await this.#reconcile();
  }

  #heldEntries(): string[] {
    return [...[...this.#running].map((r) => r.entry), ...this.#done, ...this.#failures.map((f) => f.entry)];
  }

  #start(taken: TakenJob, solo: boolean): void {
    const payload = decodePayload(taken.payload);
    const running = new RunningJob(taken, isMalformed(payload) ? "<Malformed>" : payload.className);
    this.#running.add(running);
    if (solo) this.#solo = running;
    if (this.#o.logJobs) this.#o.log.info(gotLine(this.#inspect(running, payload)));
    const run = async () => {
      const { job, args, activeJob } = resolveRun(this.#o.registry, taken, payload);
      running.arm(job, this.#o.jobTimeout);
      running.activeJob = activeJob;
      // A Rails job retries the Rails way (retry_on, in Ruby); resque-retry's keys would name the wrapper.
      if (!activeJob) running.retry = await startRetryRun(this.#o.db, job, taken.payload);
      await performJob(job, args, running);
    };
    run()
      .then(
        () => this.#settled(running, undefined),
        (error: unknown) => this.#settled(running, { error }),
      )
      .catch((error: unknown) => this.#o.log.error(`Could not record the outcome of ${running.className}: ${errorMessage(error)}`))
      .finally(() => this.#poke());
  }

  /** A job's promise settled: record its outcome, unless the worker already settled it (abandoned past its deadline). */
  #settled(running: RunningJob, failure: { error: unknown } | undefined): void {
    if (running.abandoned) return;
    this.#forget(running);
    if (this.#o.logJobs) this.#logOutcome(running, failure);
    if (!failure || !running.timedOut) this.#tally.add(running.metricsClass, Date.now() - running.startedAt, failure !== undefined);
    if (!failure) {
      this.#done.push(running.entry);
      if (running.retry) this.#cleared.push(running.retry.count);
      return;
    }
    // Rejected after its deadline aborted it: that is the timeout, whatever it threw.
    if (running.timedOut) {
      const thrown = `${exceptionName(failure.error)}: ${errorMessage(failure.error)}`;
      this.#timedOut(running, `it stopped when its signal aborted (${thrown})`);
      return;
    }
    this.#failures.push(this.#failureWrite(running, failure.error));
  }

  /**
   * A failed run: the failed-list record, or for a job that retries, either its retry (no
   * record: resque-retry's MultipleWithRetrySuppression) or the final record with its attempt count.
   */
  #failureWrite(running: RunningJob, error: unknown): FailureWrite {
    if (!running.retry) return { entry: running.entry, record: this.#failureRecord(running, error) };
    const payload = decodePayload(running.payload);
    const args = isMalformed(payload) ? [] : payload.args;
    const failureEntry = () => this.#failureRecord(running, error, undefined, encodeRetryFailure);
    const outcome = failedRun(running.retry, error, args, {
      queue: running.queue,
      payload: running.payload,
      nowMs: this.#o.now().getTime(),
      failureEntry,
    });
    if (outcome.retried) {
      const when = outcome.delay > 0 ? `in ${outcome.delay} s (through the delayed queue)` : "now";
      this.#o.log.info(
        `${running.className} failed (${exceptionName(error)}: ${errorMessage(error)}); retry ${running.retry.attempt + 1} of ${running.retry.policy.limit} ${when}`,
      );
      return { entry: running.entry, record: "", retry: outcome.write };
    }
    this.#o.log.info(`${running.className} failed after ${outcome.attempts} run(s); not retried: ${outcome.why}`);
    return { entry: running.entry, record: this.#failureRecord(running, error, outcome.attempts), retry: outcome.write };
  }

  /** No longer running: free its slot (and the solo slot a suspect holds). */
  #forget(running: RunningJob): void {
    this.#running.delete(running);
    if (this.#solo === running) this.#solo = undefined;
  }

  #inspect(running: RunningJob, payload: ReturnType<typeof decodePayload>): string {
    let args: string;
    try {
      args = isMalformed(payload) ? running.payload : encodeJson(payload.args);
    } catch (error) {
      // A log line must never be what ends a worker.
      args = `(arguments that cannot be shown: ${errorMessage(error)})`;
    }
    return jobInspect(running.queue, running.className, args);
  }

  #logOutcome(running: RunningJob, failure: { error: unknown } | undefined): void {
    const job = this.#inspect(running, decodePayload(running.payload));
    const ms = Date.now() - running.startedAt;
    if (failure) this.#o.log.info(failedLine(job, ms, exceptionName(failure.error), errorMessage(failure.error)));
    else this.#o.log.info(doneLine(job, ms));
  }

  /** A job past its deadline: fail it as Resque::JobTimeout, or (retryOnTimeout) put it back counted. */
  #timedOut(running: RunningJob, what: string): void {
    const seconds = running.timeout ?? 0;
    this.#tally.add(running.metricsClass, Date.now() - running.startedAt, true);
    if (!running.retryOnTimeout) {
      const error = Object.assign(new Error(jobTimeoutMessage(running.className, seconds, what)), { name: JOB_TIMEOUT, stack: "" });
      // Timeouts are not retried by `retry` (the master's watchdog fails them without job code);
      // a retrying job's count goes with its final record.
      const count = running.retry?.count;
      const attempts = running.retry ? running.retry.attempt + 1 : undefined;
      this.#failures.push({
        entry: running.entry,
        record: this.#failureRecord(running, error, attempts),
        ...(count && { retry: { kind: "fail" as const, count } }),
      });
      return;
    }
    settleJobs(this.#o.db, this.id, [running.entry], {
      policy: this.#o.recovery,
      settle: settleAll("counted"),
      at: this.#o.now(),
      reason: `it ran past its ${seconds} s timeout`,
    }).catch((error: unknown) => this.#o.log.error(`Could not put back ${running.className} after its timeout: ${errorMessage(error)}`));
  }

  /** Abort the signal of each job past its deadline; unsupervised, fail the ones that ignore it. */
  #checkDeadlines(): void {
    const now = Date.now();
    for (const running of this.#running) {
      if (running.expire(now)) this.#o.log.warn(`${running.className} passed its ${running.timeout} s timeout; its signal is aborted`);
      // Supervised, the master kills this process instead (it can also when the event loop is stuck).
      if (this.#o.supervised || !running.overdue(now)) continue;
      running.abandoned = true;
      this.#forget(running);
      this.#o.log.warn(`${running.className} ignored its aborted signal; it is failed and abandoned (its code may still be running)`);
      this.#timedOut(
        running,
        "it did not stop when its signal aborted and was abandoned (its code may still be running; run workers under a master to have the process replaced)",
      );
      this.#poke();
    }
  }

  /**
   * The dashboard asked to kill jobs of this process (entry tokens, or "*"). Supervised, the
   * master kills the process and charges only them; alone (DONT_FORK), they fail here as a
   * timeout would, their promises abandoned, and the other jobs keep running.
   */
  kill(tokens: readonly string[]): void {
    const all = tokens.includes(KILL_ALL);
    const targets = [...this.#running].filter((r) => all || tokens.includes(entryToken(r.entry)));
    if (targets.length === 0) {
      this.#o.log.info("Kill request for a job this process no longer runs; ignored");
      return;
    }
    if (this.#o.supervised) {
      this.#o.log.warn(`Killed from the dashboard: ${targets.map((r) => r.className).join(", ")}; asking the master to kill this process`);
      this.#o.onKill(targets.map((r) => ({ token: entryToken(r.entry), startedMs: r.startedAt })));
      return;
    }
    for (const running of targets) {
      running.abandoned = true;
      this.#forget(running);
      this.#o.log.warn(`${running.className} was killed from the dashboard; it is failed and abandoned (its code may still be running)`);
      this.#tally.add(running.metricsClass, Date.now() - running.startedAt, true);
      const error = Object.assign(new Error(KILLED_MESSAGE), { name: DIRTY_EXIT, stack: "" });
      const count = running.retry?.count;
      this.#failures.push({
        entry: running.entry,
        record: this.#failureRecord(running, error),
        ...(count && { retry: { kind: "fail" as const, count } }),
      });
    }
    this.#poke();
  }

  #processRecord(): ProcessRecord {
    const { runtime } = this.#o;
    return {
      role: "worker",
      host: runtime.hostname(),
      pid: runtime.pid,
      ppid: runtime.ppid,
      rss: runtime.rss(),
      started: this.#startedMs,
      queues: [...this.#queues.configured],
      running: [...this.#running].map((r) => ({
        token: entryToken(r.entry),
        queue: r.queue,
        className: r.className,
        startedMs: r.startedAt,
      })),
      supervised: this.#o.supervised,
    };
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

  #failureRecord(running: RunningJob, error: unknown, attempts?: number, encode = encodeFailure): string {
    const base = {
      at: this.#o.now(),
      rawPayload: running.payload,
      worker: this.id,
      queue: running.queue,
      ...(attempts !== undefined && { attempts }),
    };
    try {
      return encode({
        ...base,
        exception: exceptionName(error),
        error: errorMessage(error),
        backtrace: rubyBacktrace(errorStack(error), PERFORM_MODULE),
      });
    } catch {
      // Describing the error must never fail, or the job would stay in flight for ever.
      return encode({ ...base, exception: "Error", error: "(the thrown value could not be described)", backtrace: [] });
    }
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
    await this.#heartbeat?.stop();
    clearInterval(this.#pruneTimer);
    clearInterval(this.#deadlineTimer);
    await this.#registration?.stop();
  }

  async #stop(): Promise<void> {
    for (const untrap of this.#untrap.splice(0)) untrap();
    // The last metrics go with one more cycle that takes nothing.
    if (this.#registered && this.#tally.size > 0) {
      await this.#cycleNow().catch((e: unknown) => this.#o.log.warn(`Could not write the last job metrics: ${errorMessage(e)}`));
    }
    await this.#stopTimers();
    // Jobs still in flight here are the ones an exception interrupted: charged as a crash.
    await this.#handBack(undefined, this.#crash);
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
