/**
 * The master: keeps each group's worker processes working (WORKER_COUNT of one queue list, or a
 * resque-pool file's groups), starts a replacement as soon as one begins draining its
 * JOBS_PER_FORK batch, relays signals, and is the watchdog: it runs no job code, so it can kill a
 * process whose job overstayed its deadline or whose event loop stopped, and settle its jobs.
 * This file runs the loop; the pieces it reads are beside it: the signals (signal-table.ts), one
 * child's state and messages (slot.ts, messages.ts), a dead child's jobs (exit-recovery.ts),
 * restart delays (restart-policy.ts) and the watchdog's verdicts (watchdog.ts).
 */
import type { MasterRecord } from "../protocol/process-record.ts";
import { masterTitle } from "../protocol/procline.ts";
import { parseQueueList } from "../protocol/queue-list.ts";
import { epochSeconds } from "../protocol/time.ts";
import { trapTable } from "../runtime/trap-table.ts";
import type { ChildExit, ChildHandle, Runtime } from "../runtime/types.ts";
import { within, type Db } from "../store/connection.ts";
import { PROCESS_TTL_SECONDS, removeMaster, writeMaster } from "../store/processes.ts";
import { recoverDeadLocalWorkers } from "../worker/prune.ts";
import type { RecoveryPolicy } from "../worker/recover.ts";
import type { Logger } from "../log.ts";
import { recoverExited, sleep, STOPPING_RECOVERY_WAIT_MS } from "./exit-recovery.ts";
import { RestartPolicy } from "./restart-policy.ts";
import { MASTER_SIGNALS } from "./signal-table.ts";
import { newSlot, takeMessage, type Slot } from "./slot.ts";
import { describeKill, TICK_MS, verdict, type KillReason } from "./watchdog.ts";
import { isScheduler, type WorkerGroup } from "./worker-group.ts";

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

/** How long the first spawn waits for the start-up recovery of dead workers' jobs. */
const RECOVERY_BEFORE_START_MS = 2000;

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
    const dbs = new Set([this.#o.db, ...this.#o.groups.flatMap((g) => (g.db ? [g.db] : []))]);
    for (const db of dbs) await this.#recoverDeadLocalIn(db);
  }

  async #recoverDeadLocalIn(db: Db): Promise<void> {
    const { runtime, log } = this.#o;
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
    const slot = newSlot(handle, group, Date.now());
    this.#slots.set(handle.pid, slot);
    this.#lastStart = epochSeconds(this.#now());
    this.#showTitle();
    handle.onMessage((raw) => {
      const asked = takeMessage(slot, raw);
      if (asked === "draining") {
        this.#fill(group); // overlap: the replacement starts while this one finishes its batch
      } else if (asked) {
        this.#o.log.warn(describeKill(handle.pid, asked, 0));
        this.#kill(slot, asked);
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
    const context = {
      db: slot.group.db ?? this.#o.db,
      hostname: this.#o.runtime.hostname(),
      log: this.#o.log,
      recovery: this.#o.recovery,
      stopping: this.#stopping,
      at: this.#now(),
    };
    const { jobExited, redisSilent } = await recoverExited(context, slot, exit);
    if (redisSilent) this.#redisSilent = true;
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

  /** Every signal of MASTER_SIGNALS, each bound to what its row says the master does. */
  #trap(): void {
    trapTable(this.#o.runtime, MASTER_SIGNALS, {
      finishAndExit: () => this.#stop("QUIT"),
      term: () => (this.#o.gracefulTerm ? this.#stop("QUIT") : this.#stopNow()),
      stopNow: () => this.#stopNow(),
      // Killing a job means killing its process; replacements start as the processes exit.
      killWorkerProcesses: () => this.#eachWorker((h) => h.signal("KILL")),
      relayToWorkers: (signal) => this.#eachWorker((h) => h.signal(signal)),
      reload: () => void this.#reload(),
    });
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
