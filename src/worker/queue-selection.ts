/**
 * The queues a worker takes from: its configured list (QUEUE), and, for a list with globs or
 * exclusions, the members of the `queues` set it last read, re-read before each reserve as stock does.
 */
import { parseQueueList, resolveQueues, type QueueList } from "../protocol/queue-list.ts";
import type { Db } from "../store/connection.ts";
import { queueNames } from "../store/queues.ts";

export class QueueSelection {
  readonly #list: QueueList;
  #known: string[] = [];

  /** Throws NoQueueError for a list that names no queue. */
  constructor(queues: string | readonly string[]) {
    this.#list = parseQueueList(queues);
  }

  /** The configured entries, as they appear in the worker id. */
  get configured(): readonly string[] {
    return this.#list.configured;
  }

  /** The list must be resolved against the `queues` set (it has globs or exclusions). */
  get dynamic(): boolean {
    return this.#list.dynamic;
  }

  /** Read the `queues` set again (only a dynamic list needs it). */
  async refresh(db: Db): Promise<void> {
    this.#known = await queueNames(db);
  }

  /** The queues to reserve from now, in priority order. */
  resolved(): string[] {
    return resolveQueues(this.#list, this.#known);
  }
}
