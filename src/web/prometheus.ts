/** /metrics: the Prometheus text exposition, from prom-client with a registry of its own (never the global one). */
import { Counter, Gauge, Registry, type MetricValueWithName } from "prom-client";
import type { Resque } from "../client/resque.ts";

/** A registry whose gauges read Redis at scrape time, so every scrape is current. */
export function prometheusRegistry(resque: Resque): Registry {
  const registry = new Registry();
  const read = async () => {
    // queueLatency reads each queue's size with its head, so queue depth comes from it too.
    const [stats, failedList, workers, delayedJobs, latency, classes] = await Promise.all([
      resque.stats(),
      resque.failed.count(),
      resque.workers(),
      delayedJobCount(resque),
      resque.queueLatency(),
      resque.classTotals(),
    ]);
    return { stats, failedList, workers, delayedJobs, latency, classes };
  };
  // One Redis read per scrape, shared by every gauge's collect().
  let scrape: Promise<Awaited<ReturnType<typeof read>>> | undefined;
  const current = () => (scrape ??= read().finally(() => setTimeout(() => (scrape = undefined), 0)));
  /** A counter whose values Redis keeps: each scrape resets it and sets what `values` reads. */
  const scrapedCounter = (name: string, help: string, labelNames: string[], values: () => Promise<[Record<string, string>, number][]>) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const read = await values();
        this.reset();
        for (const [labels, value] of read) this.inc(labels, value);
      },
    });

  new Gauge({
    name: "resque_queue_jobs",
    help: "Jobs waiting in each queue (LLEN queue:<name>).",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      const { latency } = await current();
      this.reset();
      for (const l of latency) this.set({ queue: l.queue }, l.size);
    },
  });
  // Counters Redis keeps (stat:processed, stat:failed), not this process: each scrape sets them to
  // Redis's value (a stats reset shows as a counter reset, which Prometheus's rate() handles).
  scrapedCounter("resque_jobs_processed_total", "Jobs processed since the stats were last reset (stat:processed).", [], async () => [
    [{}, (await current()).stats.processed],
  ]);
  scrapedCounter("resque_jobs_failed_total", "Jobs failed since the stats were last reset (stat:failed).", [], async () => [
    [{}, (await current()).stats.failed],
  ]);
  new Gauge({
    name: "resque_workers",
    help: "Registered workers by state (working, idle).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const { workers } = await current();
      const working = workers.filter((w) => w.current).length;
      this.set({ state: "working" }, working);
      this.set({ state: "idle" }, workers.length - working);
    },
  });
  new Gauge({
    name: "resque_failed_jobs",
    help: "Entries in the failed list.",
    registers: [registry],
    async collect() {
      this.set((await current()).failedList);
    },
  });
  new Gauge({
    name: "resque_delayed_jobs",
    help: "resque-scheduler delayed jobs waiting for their time.",
    registers: [registry],
    async collect() {
      this.set((await current()).delayedJobs);
    },
  });
  new Gauge({
    name: "resque_queue_oldest_job_age_seconds",
    help: "Age of the job at the head of each queue (0 when empty); without enqueued_at in the payload, a lower bound: since the dashboard first saw it there.",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      const { latency } = await current();
      this.reset();
      for (const l of latency) this.set({ queue: l.queue }, l.oldestAgeSeconds ?? 0);
    },
  });
  scrapedCounter("resque_job_runs_total", "Jobs run per class, failures included (recorded by resque-ts workers).", ["class"], async () =>
    (await current()).classes.map((c) => [{ class: c.className }, c.runs]),
  );
  scrapedCounter("resque_job_failures_total", "Jobs failed per class (recorded by resque-ts workers).", ["class"], async () =>
    (await current()).classes.map((c) => [{ class: c.className }, c.failures]),
  );
  // A histogram whose buckets Redis keeps (cumulative counts per class): prom-client's Histogram
  // only counts observations made in this process, so this one is a metric object of our own.
  const durationName = "resque_job_duration_seconds";
  const durationHelp = "Job run time per class (recorded by resque-ts workers).";
  registry.registerMetric({
    name: durationName,
    help: durationHelp,
    type: "histogram",
    async get() {
      const { classes } = await current();
      const values: MetricValueWithName<string>[] = [];
      for (const c of classes) {
        for (const b of c.buckets)
          values.push({
            metricName: `${durationName}_bucket`,
            labels: { class: c.className, le: b.le === Infinity ? "+Inf" : b.le },
            value: b.count,
          });
        values.push({ metricName: `${durationName}_sum`, labels: { class: c.className }, value: c.totalMs / 1000 });
        values.push({ metricName: `${durationName}_count`, labels: { class: c.className }, value: c.buckets.at(-1)?.count ?? 0 });
      }
      return { name: durationName, help: durationHelp, type: "histogram", values, aggregator: "sum" };
    },
  } as never);
  return registry;
}

/** Jobs in the delayed queue: the sum of every timestamp's list length (bounded by the number of timestamps). */
async function delayedJobCount(resque: Resque): Promise<number> {
  let total = 0;
  const size = await resque.delayedQueueScheduleSize();
  for (let start = 0; start < size; start += 1000) {
    const stamps = await resque.delayedQueuePeek(start, 1000);
    const sizes = await Promise.all(stamps.map((ts) => resque.delayedTimestampSize(ts)));
    total += sizes.reduce((a, b) => a + b, 0);
  }
  return total;
}
