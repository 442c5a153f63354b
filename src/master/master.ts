/**
 * The master: keeps each group's worker processes working (WORKER_COUNT of one queue list, or a
 * resque-pool file's groups), starts a replacement as soon as one begins draining its
 * JOBS_PER_FORK batch, relays signals, and is the watchdog: it runs no job code, so it can kill a
 * process whose job overstayed its deadline or whose event loop stopped, and settle its jobs.
 */
import { DIRTY_EXIT } from "../protocol/failure.ts";
import type { MasterRecord } from "../protocol/process-record.ts";
import { entryToken } from "../protocol/token.ts";
import { entryJob } from "../protocol/working-on.ts";
import { masterTitle } from "../protocol/procline.ts";
import { parseQueueList } from "../protocol/queue-list.ts";
import { childExitMessage, childSignalMessage } from "../protocol/signals.ts";
import { epochSeconds } from "../protocol/time.ts";
import { workerId } from "../protocol/worker-id.ts";
import type { ChildExit, ChildHandle, Runtime, TrappedSignal } from "../runtime/types.ts";
import { within, type Db } from "../store/connection.ts";
import { recordMetrics } from "../store/metrics.ts";
import { PROCESS_TTL_SECONDS, removeMaster, writeMaster } from "../store/processes.ts";
import { jobClassName } from "../worker/unregister.ts";
import { Tally } from "../worker/tally.ts";
import { recoverDeadLocalWorkers } from "../worker/prune.ts";
import { DEFAULT_RECOVERY, recoverWorker, type RecoveryPolicy } from "../worker/recover.ts";
import type { DeadlineReport } from "../worker/running-job.ts";
import type { Logger } from "../log.ts";
import { RestartPolicy } from "./restart-policy.ts";
import { describeKill, settlementFor, TICK_MS, verdict, type KillReason } from "./watchdog.ts";

/** One kind of worker process: its queues, how many, and how to start one. */
export interface WorkerGroup {
  queues: string;
  count: number;
  /** Arguments and environment that start one worker process of this group. */
  childArgs: readonly string[];
  childEnv: Record<string, string>;
  /**
   * "scheduler": a `resque scheduler` process (`resque work --scheduler`). It takes no jobs, so
   * its exit settles none, and only the stop signals reach it (USR1/USR2/CONT are about jobs).
   */
  role?: "scheduler";
}

const isScheduler = (group: WorkerGroup) => group.role === "scheduler";

export interface MasterOptions {
  db: Db;
  runtime: Runtime;
  groups: readonly WorkerGroup[];
  log: Logger;
  proclinePrefix?: string;
  /** TERM_CHILD: on TERM/INT ask worker processes to finish, then KILL after termTimeout. */
  termChild?: boolean;
  termTimeout?: number;
  preShutdownTimeout?: number;
  /** GRACEFUL_TERM: TERM behaves like QUIT. */
  gracefulTerm?: boolean;
  /** FETCH and RECOVERY_LIMIT: what happens to the jobs of a process that died. */
  recovery?: RecoveryPolicy;
  /** WATCHDOG_TIMEOUT in seconds: a process silent this long is killed; 0 turns it off. */
  watchdogTimeout?: number;
  /** HUP: the groups to run now (a re-read pool file); absent, HUP does nothing. */
  reload?: () => Promise<readonly WorkerGroup[]>;
  now?: () => Date;
}

/**
 * Stopping, the master gives Redis this long at each step (its worker processes have had
 * STOP_WAIT_MS for theirs): what it cannot write stays in Redis for the next start on this host.
 */
const STOPPING_RECOVERY_WAIT_MS = 1000;
/** How long the first spawn waits for the start-up recovery of dead workers' jobs. */
const RECOVERY_BEFORE_START_MS = 2000;
/** Start-up (loading job modules, connecting) gets this much on top of WATCHDOG_TIMEOUT before the first tick. */
const STARTUP_ALLOWANCE_MS = 30_000;
/** Thrown past a recovery that Redis did not answer while stopping (already logged). */
const SILENT = new Error("Redis did not answer while stopping");
const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

/** Messages a worker process sends its master. */
export type WorkerMessage =
  | { type: "draining" }
  | { type: "registered" }
  | { type: "tick"; deadlines: DeadlineReport[] }
  /** Jobs killed from the dashboard (entry tokens and when each started): kill this process, charging only them. */
  | { type: "kill"; tokens: string[]; startedMs: number[] };

interface Slot {
  handle: ChildHandle;
  group: WorkerGroup;
  startedAt: number;
  /** Taking no more jobs (batch done, QUIT, or retired by a reload): not counted as one of its group's. */
  draining: boolean;
  /** Retired by a reload or a smaller group: not replaced when it exits. */
  retired: boolean;
  registered: boolean;
  lastTick: number;
  deadlines: DeadlineReport[];
  killed?: KillReason;
}

export class Master {
  readonly #o: MasterOptions;
  #groups: readonly WorkerGroup[];
  readonly #slots = new Map<number, Slot>();
  readonly #policy = new RestartPolicy();
  #stopping = false;
  /** Stopping, Redis did not answer in time once already: the last steps do not wait for it again. */
  #redisSilent = false;
  #pending = new Map<WorkerGroup, number>();
  #lastStart = 0;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #recordTimer: ReturnType<typeof setInterval> | undefined;
  #title = "";
  readonly #startedMs = Date.now();
  #done!: () => void;

  constructor(options: MasterOptions) {
    this.#o = options;
    this.#groups = options.groups;
  }

  /** Run until every worker process has exited after QUIT / TERM / INT. */
  async run(): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    this.#trap();
    this.#showTitle();
    // Before the first spawn, so their jobs are queued when the workers look (INTERVAL=0 would
    // otherwise exit past them); but bounded, so with Redis down at start the workers still start
    // and say so. Worker processes under a master leave this to it.
    const recovering = this.#recoverDeadLocal();
    await Promise.race([recovering, sleep(RECOVERY_BEFORE_START_MS)]);
    this.#watchdog = setInterval(() => this.#watch(), TICK_MS);
    this.#fillAll();
    void this.#writeRecord();
    this.#recordTimer = setInterval(() => void this.#writeRecord(), (PROCESS_TTL_SECONDS / 3) * 1000);
    if (this.#slots.size === 0 && this.#stopping) this.#done();
    await finished;
    clearInterval(this.#watchdog);
    clearInterval(this.#recordTimer);
    const last = Promise.all([removeMaster(this.#o.db, this.#hostPid).catch(() => {}), recovering]);
    await within(last, this.#redisSilent ? 0 : STOPPING_RECOVERY_WAIT_MS);
  }

  get #hostPid(): string {
    return `${this.#o.runtime.hostname()}:${this.#o.runtime.pid}`;
  }

  /** `resque-ts:master:<host:pid>` for the dashboard's process tree (15 s TTL, refreshed every 5 s). */
  async #writeRecord(): Promise<void> {
    const { runtime } = this.#o;
    const record: MasterRecord = {
      role: "master",
      host: runtime.hostname(),
      pid: runtime.pid,
      ppid: runtime.ppid,
      rss: runtime.rss(),
      started: this.#startedMs,
      title: this.#title,
      children: this.pids,
    };
    try {
      await writeMaster(this.#o.db, this.#hostPid, JSON.stringify(record), Date.now());
    } catch (error) {
      this.#o.log.debug(`Could not write the master's process record: ${(error as Error).message}`);
    }
  }

  get pids(): number[] {
    return [...this.#slots.keys()];
  }

  /** The jobs of this host's dead workers (say, a master and its processes killed together) go back before anything starts. */
  async #recoverDeadLocal(): Promise<void> {
    const { db, runtime, log } = this.#o;
    try {
      const recovered = await recoverDeadLocalWorkers({
        db,
        id: "",
        hostname: runtime.hostname(),
        processes: () => runtime.processes(),
        recovery: this.#o.recovery,
      });
      for (const id of recovered) log.warn(`Recovered the unfinished jobs of dead worker ${id} on this host`);
    } catch (error) {
      log.warn(`Could not look for dead workers on this host: ${(error as Error).message}`);
    }
  }

  #active(group: WorkerGroup): number {
    let n = this.#pending.get(group) ?? 0;
    for (const s of this.#slots.values()) if (s.group === group && !s.draining) n++;
    return n;
  }

  #start(group: WorkerGroup): void {
    if (this.#stopping) return;
    // Its own process group: a job's kill(0) cannot reach the master or the sibling processes.
    const handle = this.#o.runtime.spawnSelf(group.childArgs, { env: group.childEnv, titleRoom: 120, ownGroup: true });
    const now = Date.now();
    const slot: Slot = {
      handle,
      group,
      startedAt: now,
      draining: false,
      retired: false,
      registered: false,
      lastTick: now + STARTUP_ALLOWANCE_MS,
      deadlines: [],
    };
    this.#slots.set(handle.pid, slot);
    this.#lastStart = epochSeconds(this.#now());
    this.#showTitle();
    handle.onMessage((raw) => {
      const message = raw as WorkerMessage | undefined;
      if (message?.type === "tick") {
        slot.lastTick = Date.now();
        slot.deadlines = Array.isArray(message.deadlines) ? message.deadlines : [];
      } else if (message?.type === "kill" && Array.isArray(message.tokens) && !slot.killed) {
        const reason: KillReason = {
          kind: "killed",
          tokens: message.tokens.map(String),
          startedMs: Array.isArray(message.startedMs) ? message.startedMs.map(Number) : [],
        };
        this.#o.log.warn(describeKill(handle.pid, reason, 0));
        this.#kill(slot, reason);
      } else if (message?.type === "registered") {
        slot.registered = true;
      } else if (message?.type === "draining" && !slot.draining) {
        slot.draining = true;
        this.#fill(group); // overlap: the replacement starts while this one finishes its batch
      }
    });
    void handle.exited.then((exit) => this.#exited(slot, exit));
  }

  #fillAll(): void {
    for (const group of this.#groups) this.#fill(group);
  }

  /** Start processes until the group has its count taking jobs. */
  #fill(group: WorkerGroup, delayMs = 0): void {
    if (!this.#groups.includes(group)) return;
    while (!this.#stopping && this.#active(group) < group.count) {
      if (delayMs === 0) {
        this.#start(group);
        continue;
      }
      this.#pending.set(group, (this.#pending.get(group) ?? 0) + 1);
      setTimeout(() => {
        this.#pending.set(group, (this.#pending.get(group) ?? 1) - 1);
        this.#fill(group);
      }, delayMs);
    }
  }

  #watch(): void {
    const now = Date.now();
    const watchdogMs = (this.#o.watchdogTimeout ?? 0) * 1000;
    for (const slot of this.#slots.values()) {
      if (slot.killed) continue;
      const reason = verdict(slot, now, watchdogMs);
      if (!reason) continue;
      this.#o.log.warn(describeKill(slot.handle.pid, reason, watchdogMs));
      this.#kill(slot, reason);
    }
  }

  #kill(slot: Slot, reason: KillReason): void {
    slot.killed ??= reason;
    slot.handle.signal("KILL");
  }

  async #exited(slot: Slot, exit: ChildExit): Promise<void> {
    if (isScheduler(slot.group)) return this.#schedulerExited(slot, exit);
    const { pid } = slot.handle;
    this.#slots.delete(pid);
    const clean = exit.code === 0 && exit.signal === null;
    const id = workerId(this.#o.runtime.hostname(), pid, parseQueueList(slot.group.queues).configured);
    let message = exit.signal ? childSignalMessage(pid, exit.signal) : childExitMessage(pid, exit.code);
    // A process that exits on its own has settled its jobs and unregistered; one that did not
    // (a crash, a kill, or a job calling process.exit) has its jobs settled here.
    let jobExited = false;
    try {
      const settle = settlementFor(slot.killed);
      const failedHere = new Tally();
      const recovery = recoverWorker(this.#o.db, id, {
        policy: this.#o.recovery ?? DEFAULT_RECOVERY,
        // Jobs failed here (timeouts, kills) never reach a worker's cycle: their metrics are written below, once per process.
        settle: (entry) => {
          const settlement = settle(entry);
          if (typeof settlement === "object") failedHere.add(classOf(entry), ranFor(slot.killed, entry), true);
          return settlement;
        },
        dirtyExit: { exception: DIRTY_EXIT, message: () => message },
        at: this.#now(),
        reason: message,
      });
      // Running, the master waits out a Redis outage (a replacement could not work either).
      // Stopping, it does not hang on one: the jobs stay in the dead worker's in-flight list,
      // which the next worker or master to start on this host recovers.
      const waited = this.#stopping ? await Promise.race([recovery, sleep(STOPPING_RECOVERY_WAIT_MS)]) : await recovery;
      if (!waited) {
        this.#redisSilent = true;
        this.#o.log.warn(
          `Redis did not answer: worker process ${pid}'s unfinished jobs stay in Redis for the next worker on this host to recover`,
        );
        throw SILENT;
      }
      const { requeued, poisoned, failed } = waited;
      if (failedHere.size > 0 && failed > 0) {
        await recordMetrics(this.#o.db, failedHere.take(), Date.now()).catch((e: unknown) =>
          this.#o.log.warn(`Could not record job metrics: ${(e as Error).message}`),
        );
      }
      const settled = requeued + poisoned + failed;
      // Exit 0 with jobs still in flight: a job ended the process (process.exit(0)); that is a crash.
      jobExited = clean && settled > 0;
      if (jobExited) message = `${message} (a job ended the process)`;
      if (settled > 0 || !clean) {
        this.#o.log.warn(
          `Worker process ${pid} ended (${exit.signal ?? `exit ${exit.code}`}${jobExited ? ", a job ended the process" : ""}) with ${settled} job(s) in flight: ` +
            `${requeued} back at the head of their queues, ${poisoned} failed as poison, ${failed} recorded as failed`,
        );
      }
    } catch (error) {
      if (error !== SILENT) this.#o.log.error(`Could not recover and unregister worker process ${pid}: ${(error as Error).message}`);
    }
    // A clean exit without a finished batch is a worker that chose to stop (INTERVAL=0 and the
    // queues are empty): it is not replaced, and the master ends with the last of them.
    const choseToStop = clean && !jobExited && !slot.draining;
    if (this.#stopping || slot.retired || choseToStop) {
      this.#showTitle();
      this.#maybeDone();
      return;
    }
    const failedEarly = !clean || jobExited || slot.killed !== undefined;
    const delay = this.#policy.delayAfter(Date.now() - slot.startedAt, failedEarly, slot.registered);
    if (delay > 0)
      this.#o.log.warn(
        `Worker process ${pid} died ${Date.now() - slot.startedAt} ms after it started; starting a replacement in ${delay} ms`,
      );
    this.#fill(slot.group, delay);
    this.#showTitle();
  }

  /** A scheduler holds no jobs: it is replaced unless it stopped on request. */
  #schedulerExited(slot: Slot, exit: ChildExit): void {
    const { pid } = slot.handle;
    this.#slots.delete(pid);
    const clean = exit.code === 0 && exit.signal === null;
    if (this.#stopping || slot.retired) {
      this.#showTitle();
      this.#maybeDone();
      return;
    }
    const failedEarly = !clean || slot.killed !== undefined;
    const delay = this.#policy.delayAfter(Date.now() - slot.startedAt, failedEarly);
    this.#o.log.warn(
      `Scheduler process ${pid} ended (${exit.signal ?? `exit ${exit.code}`}); starting another${delay > 0 ? ` in ${delay} ms` : ""}`,
    );
    this.#fill(slot.group, delay);
    this.#showTitle();
  }

  #maybeDone(): void {
    // Stopping, a restart still waiting out its crash-loop delay will never start: do not wait for it.
    const pending = [...this.#pending.values()].reduce((a, b) => a + b, 0);
    if (this.#slots.size === 0 && (this.#stopping || pending === 0)) this.#done();
    // The workers all chose to stop (INTERVAL=0, queues empty): the scheduler beside them goes too.
    const schedulerOnly = [...this.#slots.values()].every((s) => isScheduler(s.group)) && this.#slots.size > 0;
    if (!this.#stopping && pending === 0 && schedulerOnly && this.#groups.some((g) => !isScheduler(g))) this.#stop("QUIT");
  }

  #trap(): void {
    const on = (signal: TrappedSignal, handler: () => void) => this.#o.runtime.onSignal(signal, handler);
    on("QUIT", () => this.#stop("QUIT"));
    on("TERM", () => (this.#o.gracefulTerm ? this.#stop("QUIT") : this.#stopNow()));
    on("INT", () => this.#stopNow());
    // Killing a job means killing its process; replacements start as the processes exit.
    on("USR1", () => this.#eachWorker((h) => h.signal("KILL")));
    on("USR2", () => this.#eachWorker((h) => h.signal("USR2")));
    on("CONT", () => this.#eachWorker((h) => h.signal("CONT")));
    on("HUP", () => void this.#reload());
  }

  #each(fn: (handle: ChildHandle) => void): void {
    for (const slot of this.#slots.values()) fn(slot.handle);
  }

  #eachWorker(fn: (handle: ChildHandle) => void): void {
    for (const slot of this.#slots.values()) if (!isScheduler(slot.group)) fn(slot.handle);
  }

  #stop(signal: "QUIT" | "TERM"): void {
    this.#stopping = true;
    this.#each((h) => h.signal(signal));
    this.#maybeDone();
  }

  /**
   * TERM / INT: worker processes stop now and hand their jobs in flight back to the queues
   * (at most once: record them as failed). TERM_CHILD: they are asked to finish first, and
   * after RESQUE_TERM_TIMEOUT the ones still running are killed, their jobs handed back.
   */
  #stopNow(): void {
    if (!this.#o.termChild) {
      this.#stop("TERM");
      return;
    }
    const pre = (this.#o.preShutdownTimeout ?? 0) * 1000;
    const term = (this.#o.termTimeout ?? 4) * 1000;
    this.#stopping = true;
    setTimeout(() => {
      this.#each((h) => h.signal("QUIT"));
      setTimeout(() => {
        for (const slot of this.#slots.values()) this.#kill(slot, { kind: "stopped" });
      }, term);
    }, pre);
    this.#maybeDone();
  }

  /** HUP: run the groups the reload gives; surplus and removed processes finish their jobs (QUIT) and are not replaced. */
  async #reload(): Promise<void> {
    if (!this.#o.reload || this.#stopping) return;
    let next: readonly WorkerGroup[];
    try {
      next = await this.#o.reload();
    } catch (error) {
      this.#o.log.error(`HUP: kept the running groups; the new configuration failed: ${(error as Error).message}`);
      return;
    }
    const same = (a: WorkerGroup, b: WorkerGroup) =>
      a.queues === b.queues &&
      JSON.stringify(a.childArgs) === JSON.stringify(b.childArgs) &&
      JSON.stringify(a.childEnv) === JSON.stringify(b.childEnv);
    const groups = next.map((g) => {
      const current = this.#groups.find((c) => same(c, g));
      if (!current) return g;
      return Object.assign(current, { count: g.count }); // keep the identity its slots point at
    });
    this.#groups = groups;
    for (const slot of this.#slots.values()) {
      if (slot.draining) continue;
      const kept = groups.includes(slot.group);
      if (kept && this.#active(slot.group) <= slot.group.count) continue;
      slot.draining = true;
      slot.retired = true;
      slot.handle.signal("QUIT");
    }
    this.#o.log.info(`HUP: now running ${groups.map((g) => `${g.queues} x${g.count}`).join(", ")}`);
    this.#fillAll();
    this.#showTitle();
  }

  #showTitle(): void {
    const workers = this.#groups.filter((g) => !isScheduler(g));
    const label = workers.map((g) => (workers.length === 1 ? parseQueueList(g.queues).configured.join(",") : `${g.queues} x${g.count}`));
    const schedulerPids = [...this.#slots].flatMap(([pid, slot]) => (isScheduler(slot.group) ? [pid] : []));
    const workerPids = this.pids.filter((pid) => !schedulerPids.includes(pid));
    this.#title = masterTitle(workerPids, this.#lastStart, label, this.#o.proclinePrefix, workers.length > 1 ? "; " : ",", schedulerPids);
    this.#o.runtime.setTitle(this.#title);
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}

const classOf = (entry: string): string => {
  const job = entryJob(entry);
  return job ? jobClassName(job.payload) : "<Malformed>";
};

/** How long a job the master failed had run: a timeout its limit, a kill since it started (0 when unknown). */
function ranFor(reason: KillReason | undefined, entry: string): number {
  const token = entryToken(entry);
  if (reason?.kind === "overdue") return (reason.overdue.find(([t]) => t === token)?.[3] ?? 0) * 1000;
  if (reason?.kind === "killed") {
    const started = reason.startedMs[reason.tokens.indexOf(token)];
    return started ? Math.max(0, Date.now() - started) : 0;
  }
  return 0;
}
