/**
 * The worker's fetcher: its reserve cycles. A cycle is one Redis round trip that records the jobs
 * finished since the last one (with their per-class metrics) and takes up to `want` more. This
 * class alone owns what the cycles carry and what is on its way:
 * 1. the finished buffers (done, failures, cleared retry counts) and the metrics tally;
 * 2. the cycles sent and not yet handled (in-flight and asked are read from that one list);
 * 3. their replies, handed to the loop in the order they arrive;
 * 4. lost replies, reconciled together once no other cycle is on its way;
 * 5. after a failover, the in-flight list on the new primary, reconciled the same way: the promoted
 *    replica may lack the last records the old primary acknowledged, leaving entries of finished
 *    jobs that this worker no longer holds (they would stay there, unrecovered, while it lives);
 * 6. the release of jobs taken but not started (shutdown while a reply was on its way).
 */
import { errorMessage } from "../protocol/backtrace.ts";
import { runAt } from "../protocol/time.ts";
import { workingOnPrefix } from "../protocol/working-on.ts";
import { failoversSeen, type Db } from "../store/connection.ts";
import type { ClassTally } from "../store/metrics.ts";
import { replicasAcknowledged } from "../store/replication.ts";
import { reserveCycle, type CycleReply, type FailureWrite, type TakenJob } from "../store/workers.ts";
import type { Logger } from "../log.ts";
import type { QueueSelection } from "./queue-selection.ts";
import { reconcileLostCycles } from "./reconcile.ts";
import { releaseJobs } from "./recover.ts";
import { Tally } from "./tally.ts";

/** Per-class metrics ride along with a cycle at most this often (and always with the last one). */
const METRICS_FLUSH_MS = 1000;

/** A cycle whose reply never came: what it carried, to reconcile (see reconcile.ts). */
interface LostCycle {
  lost: { done: string[]; failures: FailureWrite[]; cleared: string[]; metrics: Map<string, ClassTally> | undefined };
  error: string;
}

/**
 * DURABLE_ACK's records that fewer replicas than asked held in time, kept until a later WAIT
 * succeeds (it covers every earlier write): after a failover, an entry of one of them left on
 * the new primary is recorded again rather than run again. Bounded: past it, such jobs run again.
 */
const UNCONFIRMED_LIMIT = 100_000;

/** A cycle sent, until the loop has handled its reply. */
interface Sent {
  readonly want: number;
}

/** A reply for the loop, with the jobs its cycle asked for. */
export type Reply = CycleReply & { want: number };

export interface CyclesContext {
  db: Db;
  id: string;
  log: Logger;
  now: () => Date;
  queues: QueueSelection;
  /** Entries of the jobs running now (reconciliation must not mistake them for jobs a lost cycle took). */
  runningEntries: () => string[];
  /** A reply arrived: wake the loop. */
  wake: () => void;
  /** DURABLE_ACK: replicas that must hold a cycle's finished jobs before its reply is handled; 0 = off. */
  durableAck: number;
}

/** How long a cycle waits for DURABLE_ACK's replicas before going on (and saying so). */
export const DURABLE_ACK_TIMEOUT_MS = 1000;
/**
 * After a shortfall, until a cycle's records are confirmed again: the records are kept and the
 * worker goes on either way, so a lost replica (DURABLE_ACK equal to the replicas there were) must
 * not hold every cycle for the full second; with it, the failover suite's worker crawled.
 */
export const DURABLE_ACK_SHORT_WAIT_MS = 50;
/** A replica shortfall is told at most this often, with the count since the last line. */
const SHORTFALL_LOG_MS = 10_000;

export class Cycles {
  readonly #c: CyclesContext;
  #done: string[] = [];
  #failures: FailureWrite[] = [];
  /** Attempt counts of retrying jobs that succeeded, cleared with their cycle. */
  #cleared: string[] = [];
  /** Per-class metrics of finished jobs not yet written. */
  readonly #tally = new Tally();
  #lastFlush = 0;
  /** Cycles whose finished jobs fewer replicas than DURABLE_ACK held in time, since the last warning. */
  #shortfalls = 0;
  #lastShortfallLog = 0;
  /** The last cycle's records fell short: wait DURABLE_ACK_SHORT_WAIT_MS, not the full timeout. */
  #short = false;
  /** Cycles sent whose reply the loop has not handled yet: the one record of what is in flight. */
  readonly #unhandled = new Set<Sent>();
  /** Replies (or losses) that arrived, for the loop to handle in order. */
  readonly #arrived: { sent: Sent; reply: CycleReply | LostCycle }[] = [];
  /** Lost cycles waiting for the others in flight before they are reconciled. */
  readonly #lost: LostCycle[] = [];
  /** DURABLE_ACK shortfalls: records not known to be on enough replicas (see UNCONFIRMED_LIMIT). */
  #unconfirmed: { done: string[]; failures: FailureWrite[] } = { done: [], failures: [] };
  /** A failover was noticed: the next reconciliation reads the in-flight list on the new primary. */
  #failoverPending = false;

  /** Failovers of the connection already reconciled (see noticeFailover). */
  #failovers: number;

  constructor(context: CyclesContext) {
    this.#c = context;
    this.#failovers = failoversSeen(context.db);
  }

  /** Cycles sent whose reply the loop has not handled yet. */
  get inFlight(): number {
    return this.#unhandled.size;
  }

  /** Jobs those cycles asked for. */
  get asked(): number {
    let asked = 0;
    for (const sent of this.#unhandled) asked += sent.want;
    return asked;
  }

  /** Reconciliations waiting: one per lost cycle, and one after a failover (see noticeFailover). */
  get lost(): number {
    return this.#lost.length + (this.#failoverPending ? 1 : 0);
  }

  /** Jobs finished (done or failed) that no cycle has carried yet. */
  get finished(): number {
    return this.#done.length + this.#failures.length;
  }

  /** Metrics counted and not yet written. */
  get hasMetrics(): boolean {
    return this.#tally.size > 0;
  }

  /** A job succeeded; `clearedCount` is its retry attempt count, if it retries. */
  succeeded(entry: string, clearedCount?: string): void {
    this.#done.push(entry);
    if (clearedCount !== undefined) this.#cleared.push(clearedCount);
  }

  /** A job failed (or is retried): its record goes with the next cycle. */
  failed(write: FailureWrite): void {
    this.#failures.push(write);
  }

  /** Count one finished run in the per-class metrics. */
  count(className: string, ms: number, failed: boolean): void {
    this.#tally.add(className, ms, failed);
  }

  /**
   * Send a cycle asking for `want` jobs; its reply (or its loss) waits for `next`, and wakes the
   * loop. `stopping`: the metrics go with it whatever their age.
   */
  send(want: number, stopping: boolean): void {
    const sent: Sent = { want };
    this.#unhandled.add(sent);
    void this.#cycle(want, stopping).then((reply) => {
      this.#arrived.push({ sent, reply });
      this.#c.wake();
    });
  }

  /**
   * The next reply to handle, in the order they arrived: a reply, "lost" (kept here to reconcile),
   * or undefined when none has arrived. Its cycle is no longer in flight from here on.
   */
  next(): Reply | "lost" | undefined {
    const arrived = this.#arrived.shift();
    if (!arrived) return undefined;
    this.#unhandled.delete(arrived.sent);
    if ("lost" in arrived.reply) {
      this.#lost.push(arrived.reply);
      return "lost";
    }
    return { ...arrived.reply, want: arrived.sent.want };
  }

  /** One cycle outside the loop (the last metrics, or what finished before a hand-back), reconciled if lost. */
  async now(stopping: boolean): Promise<void> {
    const reply = await this.#cycle(0, stopping);
    if (!("lost" in reply)) return;
    // Outside the loop no cycle of its is on its way, unless TERM came mid-loop; then the
    // hand-back that follows returns every in-flight entry anyway.
    this.#lost.push(reply);
    if (this.inFlight === 0) await this.reconcile();
  }

  /**
   * If the connection came back on another primary since the last call (a failover), read this
   * worker's in-flight list there once no cycle is on its way, as after a lost reply. An entry it
   * no longer holds is a finished job whose record the promoted replica never got: recorded again
   * if DURABLE_ACK kept it, else run again (at least once, as after a crash).
   */
  noticeFailover(): void {
    const seen = failoversSeen(this.#c.db);
    if (seen === this.#failovers) return;
    this.#failovers = seen;
    this.#failoverPending = true;
  }

  /**
   * Cycles whose replies were lost, reconciled once no other cycle is on its way (one could change
   * the in-flight list between the read and its reply): what they recorded, and what they took.
   */
  async reconcile(): Promise<TakenJob[]> {
    const lost = this.#lost.splice(0);
    const afterFailover = this.#failoverPending;
    this.#failoverPending = false;
    if (lost.length > 0) this.#c.log.warn(`Lost a Redis reply (${lost.map((l) => l.error).join("; ")}); checking what was applied`);
    const outcome = await reconcileLostCycles(
      this.#c.db,
      this.#c.id,
      () => [...this.#c.runningEntries(), ...this.#done, ...this.#failures.map((f) => f.entry)],
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
    if (!afterFailover) return outcome.taken;
    const again = this.#recordAgain(outcome.taken);
    if (outcome.taken.length > 0) {
      this.#c.log.warn(
        `After a Redis failover, ${outcome.taken.length} finished job(s) of this worker were still in flight on the new primary (their records had not reached it): ${outcome.taken.length - again.length} recorded again (DURABLE_ACK had kept them), ${again.length} run again.`,
      );
    }
    return again;
  }

  get #unconfirmedCount(): number {
    return this.#unconfirmed.done.length + this.#unconfirmed.failures.length;
  }

  #dropUnconfirmed(): void {
    if (this.#unconfirmedCount > 0) this.#unconfirmed = { done: [], failures: [] };
  }

  /** Of `orphans` (entries a failover left in flight), record again those DURABLE_ACK kept; the rest are returned, to run again. */
  #recordAgain(orphans: TakenJob[]): TakenJob[] {
    const { done, failures } = this.#unconfirmed;
    this.#dropUnconfirmed();
    const doneAt = new Map<string, number>();
    for (const entry of done) doneAt.set(entry, (doneAt.get(entry) ?? 0) + 1);
    const failedAt = new Map<string, FailureWrite[]>();
    for (const write of failures) failedAt.set(write.entry, [...(failedAt.get(write.entry) ?? []), write]);
    return orphans.filter((job) => {
      const n = doneAt.get(job.entry) ?? 0;
      if (n > 0) {
        doneAt.set(job.entry, n - 1);
        this.#done.push(job.entry);
        return false;
      }
      const write = failedAt.get(job.entry)?.shift();
      if (write) {
        this.#failures.push(write);
        return false;
      }
      return true;
    });
  }

  /** Hand back jobs taken but not started; the ones Redis could not take back are run instead. */
  async release(jobs: TakenJob[]): Promise<TakenJob[]> {
    if (jobs.length === 0) return jobs;
    try {
      const released = await releaseJobs(
        this.#c.db,
        this.#c.id,
        jobs.map((j) => j.entry),
      );
      this.#c.log.info(`Shutting down: ${released} job(s) taken but not started went back to their queues`);
      return [];
    } catch (error) {
      this.#c.log.warn(`Could not hand back ${jobs.length} unstarted job(s) (${errorMessage(error)}); running them instead`);
      return jobs;
    }
  }

  /** DURABLE_ACK: wait until the replicas hold this cycle's records; a shortfall is logged (throttled), never fatal. */
  async #awaitReplicas(done: string[], failures: FailureWrite[]): Promise<void> {
    const wanted = this.#c.durableAck;
    const jobs = done.length + failures.length;
    // The cycle's reply is in hand: a WAIT lost with the connection counts as a shortfall, not a lost cycle.
    const timeoutMs = this.#short ? DURABLE_ACK_SHORT_WAIT_MS : DURABLE_ACK_TIMEOUT_MS;
    const held = await replicasAcknowledged(this.#c.db, wanted, timeoutMs).catch(() => 0);
    this.#short = held < wanted;
    if (held >= wanted) {
      // A WAIT answered by a new primary says nothing of what the old one held: keep the records
      // until the failover's reconciliation has used them.
      if (failoversSeen(this.#c.db) === this.#failovers && !this.#failoverPending) this.#dropUnconfirmed();
      return;
    }
    if (this.#unconfirmedCount + jobs <= UNCONFIRMED_LIMIT) {
      this.#unconfirmed.done.push(...done);
      this.#unconfirmed.failures.push(...failures);
    }
    this.#shortfalls++;
    const now = Date.now();
    if (now - this.#lastShortfallLog < SHORTFALL_LOG_MS) return;
    this.#c.log.warn(
      `DURABLE_ACK=${wanted}: only ${held} replica(s) held the record of ${jobs} finished job(s) within ${timeoutMs} ms (${this.#shortfalls} such cycle(s) since the last warning; until one is held again, cycles wait ${DURABLE_ACK_SHORT_WAIT_MS} ms); after a failover now they could run again. Check the replicas (INFO replication).`,
    );
    this.#shortfalls = 0;
    this.#lastShortfallLog = now;
  }

  async #cycle(want: number, stopping: boolean): Promise<CycleReply | LostCycle> {
    const { db, queues } = this.#c;
    const done = this.#done;
    const failures = this.#failures;
    const cleared = this.#cleared;
    this.#done = [];
    this.#failures = [];
    this.#cleared = [];
    const nowMs = Date.now();
    const flush = this.#tally.size > 0 && (want === 0 || stopping || nowMs - this.#lastFlush >= METRICS_FLUSH_MS);
    const metrics = flush ? this.#tally.take() : undefined;
    if (flush) this.#lastFlush = nowMs;
    try {
      // Glob lists are re-resolved against the `queues` set before each reserve, as stock does.
      if (queues.dynamic && want > 0) await queues.refresh(db);
      const names = want > 0 ? queues.resolved() : [];
      const at = runAt(this.#c.now());
      const reply = await reserveCycle(db, {
        id: this.#c.id,
        done,
        failures,
        cleared,
        want,
        queues: names,
        prefixes: names.map((q) => workingOnPrefix(q, at)),
        ...(metrics && { metrics, nowMs }),
      });
      if (this.#c.durableAck > 0 && done.length + failures.length > 0) await this.#awaitReplicas(done, failures);
      return reply;
    } catch (error) {
      return { lost: { done, failures, cleared, metrics }, error: errorMessage(error) };
    }
  }
}
