/** /metrics: the Prometheus text exposition, from prom-client with a registry of its own (never the global one). */
import { Counter, Gauge, Registry } from "prom-client";
import type { Resque } from "../client/resque.ts";

/** A registry whose gauges read Redis at scrape time, so every scrape is current. */
export function prometheusRegistry(resque: Resque): Registry {
  const registry = new Registry();
  const read = async () => {
    const [stats, failedList, sizes, workers, delayedJobs] = await Promise.all([resque.stats(), resque.failed.count(), resque.sizes(), resque.workers(), delayedJobCount(resque)]);
    return { stats, failedList, sizes, workers, delayedJobs };
  };
  // One Redis read per scrape, shared by every gauge's collect().
  let scrape: Promise<Awaited<ReturnType<typeof read>>> | undefined;
  const current = () => (scrape ??= read().finally(() => setTimeout(() => (scrape = undefined), 0)));

  new Gauge({
    name: "resque_queue_jobs", help: "Jobs waiting in each queue (LLEN queue:<name>).", labelNames: ["queue"], registers: [registry],
    async collect() {
      const { sizes } = await current();
      this.reset();
      for (const [queue, size] of Object.entries(sizes)) this.set({ queue }, size);
    },
  });
  // Counters Redis keeps (stat:processed, stat:failed), not this process: each scrape sets them to
  // Redis's value (a stats reset shows as a counter reset, which Prometheus's rate() handles).
  new Counter({
    name: "resque_jobs_processed_total", help: "Jobs processed since the stats were last reset (stat:processed).", registers: [registry],
    async collect() {
      const value = (await current()).stats.processed;
      this.reset();
      this.inc(value);
    },
  });
  new Counter({
    name: "resque_jobs_failed_total", help: "Jobs failed since the stats were last reset (stat:failed).", registers: [registry],
    async collect() {
      const value = (await current()).stats.failed;
      this.reset();
      this.inc(value);
    },
  });
  new Gauge({
    name: "resque_workers", help: "Registered workers by state (working, idle).", labelNames: ["state"], registers: [registry],
    async collect() {
      const { workers } = await current();
      const working = workers.filter((w) => w.current).length;
      this.set({ state: "working" }, working);
      this.set({ state: "idle" }, workers.length - working);
    },
  });
  new Gauge({
    name: "resque_failed_jobs", help: "Entries in the failed list.", registers: [registry],
    async collect() {
      this.set((await current()).failedList);
    },
  });
  new Gauge({
    name: "resque_delayed_jobs", help: "resque-scheduler delayed jobs waiting for their time.", registers: [registry],
    async collect() {
      this.set((await current()).delayedJobs);
    },
  });
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
