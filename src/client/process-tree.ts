/**
 * The process tree the dashboard shows: hosts -> masters -> their worker processes, from the
 * records our processes keep under `resque-ts:` (15 s TTL), plus the registered workers that keep
 * none (stock Ruby workers), shown from stock's `workers` set.
 */
import { parseRecord, type MasterRecord, type ProcessRecord, type RunningRecord } from "../protocol/process-record.ts";
import { parseWorkerId } from "../protocol/worker-id.ts";
import type { Db } from "../store/connection.ts";
import { parseSchedulerRecord } from "../protocol/scheduler-record.ts";
import { masterRecords, processRecords } from "../store/processes.ts";
import { schedulerRecords } from "../store/scheduler-records.ts";
import { workerIdsForView, workerRecords } from "../store/workers.ts";

export interface TreeWorker {
  workerId: string;
  pid: number;
  ppid: number;
  rss: number;
  /** Epoch ms. */
  started: number;
  queues: string[];
  state: "working" | "idle";
  jobs: RunningRecord[];
}

/** A scheduler process (`resque scheduler`, or the one `work --scheduler` starts), from its record. */
export interface TreeScheduler {
  pid: number;
  ppid: number;
  rss: number;
  started: number;
  leader: boolean;
  lockValue: string;
}

export interface TreeMaster {
  pid: number;
  rss: number;
  started: number;
  title: string;
  workers: TreeWorker[];
  /** The scheduler it supervises (`work --scheduler`). */
  schedulers: TreeScheduler[];
}

export interface TreeHost {
  host: string;
  masters: TreeMaster[];
  /** Our worker processes with no live master (DONT_FORK, or their master is gone). */
  workers: TreeWorker[];
  /** Schedulers with no master of ours (`resque scheduler` on its own). */
  schedulers: TreeScheduler[];
}

/** A registered worker without a process record: a stock Ruby worker (or one of ours whose record lapsed). */
export interface OrphanWorker {
  workerId: string;
  host: string;
  pid: number;
  queues: string[];
  state: "working" | "idle";
  started: string | null;
}

export interface ProcessTree {
  hosts: TreeHost[];
  orphans: OrphanWorker[];
}

export async function processTree(db: Db, nowMs: number): Promise<ProcessTree> {
  const ids = (await workerIdsForView(db)).sort();
  const [masters, texts, records, schedulers] = await Promise.all([
    masterRecords(db, nowMs),
    processRecords(db, ids),
    workerRecords(db, ids),
    schedulerRecords(db, nowMs),
  ]);
  const hosts = new Map<string, TreeHost>();
  const hostOf = (host: string) => {
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { host, masters: [], workers: [], schedulers: [] }));
    return h;
  };
  const byPid = new Map<string, TreeMaster>();
  for (const { record } of masters) {
    const m = parseRecord<MasterRecord>(record, "master");
    if (!m) continue;
    const node: TreeMaster = { pid: m.pid, rss: m.rss, started: m.started, title: m.title, workers: [], schedulers: [] };
    hostOf(m.host).masters.push(node);
    byPid.set(`${m.host}:${m.pid}`, node);
  }
  const orphans: OrphanWorker[] = [];
  ids.forEach((workerId, i) => {
    const p = parseRecord<ProcessRecord>(texts[i] ?? null, "worker");
    const working = Boolean(records[i]?.job);
    if (!p) {
      const { host, pid, queues } = parseWorkerId(workerId);
      orphans.push({
        workerId,
        host,
        pid: Number.isFinite(pid) ? pid : 0,
        queues,
        state: working ? "working" : "idle",
        started: records[i]?.started ?? null,
      });
      return;
    }
    const node: TreeWorker = {
      workerId,
      pid: p.pid,
      ppid: p.ppid,
      rss: p.rss,
      started: p.started,
      queues: p.queues,
      state: working || p.running.length > 0 ? "working" : "idle",
      jobs: p.running,
    };
    const master = byPid.get(`${p.host}:${p.ppid}`);
    if (master) master.workers.push(node);
    else hostOf(p.host).workers.push(node);
  });
  for (const { record } of schedulers) {
    const sch = parseSchedulerRecord(record);
    if (!sch) continue;
    const node: TreeScheduler = {
      pid: sch.pid,
      ppid: sch.ppid,
      rss: sch.rss,
      started: sch.started,
      leader: sch.leader,
      lockValue: sch.lockValue,
    };
    const master = byPid.get(`${sch.host}:${sch.ppid}`);
    if (master) master.schedulers.push(node);
    else hostOf(sch.host).schedulers.push(node);
  }
  return { hosts: [...hosts.values()].sort((a, b) => (a.host < b.host ? -1 : 1)), orphans };
}

/** The ids among `ids` whose resque-ts process record is current (refreshed every 5 s, kept 15 s): processes alive now. */
export async function liveWorkerIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const records = await processRecords(db, ids);
  return new Set(ids.filter((_, i) => records[i]));
}
