/**
 * A client for shard mode on a Redis Cluster (see store/shards.ts): one Resque per shard namespace,
 * all on one Cluster connection, and each queue's jobs sent to the shard its name hashes to, the
 * same shard `resque work --shards N` serves it from. Views are per shard (`shards[i]`); info and
 * sizes add the shards up.
 */
import type { JobArgs } from "../jobs/define.ts";
import { JobRegistry } from "../jobs/registry.ts";
import { closeDb, openDb } from "../store/connection.ts";
import { resqueKeys } from "../protocol/keys.ts";
import { shardNamespaces, shardOf } from "../store/shards.ts";
import { inferQueue, resolveJob, type JobRef } from "./enqueue.ts";
import { Resque, type ResqueOptions } from "./resque.ts";
import type { ResqueInfo } from "./status.ts";

export interface ShardedResqueOptions extends Omit<ResqueOptions, "db" | "namespace"> {
  /** The base name, without a hash tag (default "resque"): the shards are `{resque-j}`, one per part of the slot space. */
  namespace?: string;
  /** How many shards; the workers must be started with the same number (`--shards N`). */
  shards: number;
}

export class ShardedResque {
  /** The shards' namespaces, in shard order. */
  readonly namespaces: readonly string[];
  /** One client per shard, sharing one connection. */
  readonly shards: readonly Resque[];
  readonly registry: JobRegistry;

  constructor(options: ShardedResqueOptions) {
    const { shards: count, namespace = "resque", ...rest } = options;
    this.namespaces = shardNamespaces(namespace, count);
    this.registry = options.registry ?? new JobRegistry();
    const first = openDb({ ...rest, namespace: this.namespaces[0] });
    this.shards = this.namespaces.map(
      (ns, i) => new Resque({ ...rest, registry: this.registry, db: i === 0 ? first : { ...first, keys: resqueKeys(ns) } }),
    );
  }

  /** The client of the shard that holds `queue`. */
  shardFor(queue: string): Resque {
    return this.shards[shardOf(queue, this.shards.length)]!;
  }

  /** Resque#enqueue, on the shard of the job's own queue. */
  enqueue<J extends JobRef>(job: J, ...args: JobArgs<J>): Promise<boolean> {
    const queue = inferQueue(resolveJob(job, this.registry));
    return this.shardFor(queue).enqueueTo(queue, job, ...args);
  }

  enqueueTo<J extends JobRef>(queue: string, job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.shardFor(queue).enqueueTo(queue, job, ...args);
  }

  push(queue: string, payload: Parameters<Resque["push"]>[1]): Promise<void> {
    return this.shardFor(queue).push(queue, payload);
  }

  pushMany(queue: string, payloads: readonly string[]): Promise<void> {
    return this.shardFor(queue).pushMany(queue, payloads);
  }

  /** Resque#enqueueInWithQueue, on the queue's shard (its scheduler promotes it there). */
  enqueueInWithQueue<J extends JobRef>(queue: string, seconds: number, job: J, ...args: JobArgs<J>): Promise<boolean> {
    return this.shardFor(queue).enqueueInWithQueue(queue, seconds, job, ...args);
  }

  size(queue: string): Promise<number> {
    return this.shardFor(queue).size(queue);
  }

  /** Every shard's queue sizes (a queue is in one shard only). */
  async sizes(): Promise<Record<string, number>> {
    return Object.assign({}, ...(await Promise.all(this.shards.map((s) => s.sizes()))));
  }

  /** The shards' counts added up. */
  async info(): Promise<ResqueInfo> {
    const all = await Promise.all(this.shards.map((s) => s.info()));
    const sum = (key: "pending" | "processed" | "queues" | "workers" | "working" | "failed") => all.reduce((n, i) => n + i[key], 0);
    return {
      pending: sum("pending"),
      processed: sum("processed"),
      queues: sum("queues"),
      workers: sum("workers"),
      working: sum("working"),
      failed: sum("failed"),
      servers: all[0]!.servers,
      environment: all[0]!.environment,
    };
  }

  close(): Promise<void> {
    return closeDb(this.shards[0]!.db);
  }
}
