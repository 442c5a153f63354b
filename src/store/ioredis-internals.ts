/**
 * Everything this project relies on inside ioredis that is not its public API, in one place.
 * Checked against ioredis 6.0.0; test/store/ioredis-internals.test.ts fails if an upgrade changes
 * any of it (against a real Redis, each behaviour produced for real). What and why:
 *
 * 1. `prevCommandQueue`: when a ready connection closes, ioredis moves the commands still awaiting
 *    a reply there (a deque of `{ command }`), and, with autoResendUnfulfilledCommands off, drops
 *    it on reconnect without settling their promises. A worker must learn that a reserve cycle's
 *    reply was lost to reconcile it (worker/reconcile.ts), so failUnanswered rejects them.
 * 2. `recoverFromFatalError(commandError, error, options)`: what a failed handshake (WRONGPASS,
 *    NOAUTH, a failed ready check) calls; it rejects every queued command unless
 *    `options.offlineQueue` is false. A waiting client keeps them queued through such failures.
 * 3. `stream`: the socket of the current connection, to add a second error listener (Deno's TLS
 *    socket can emit an error after ioredis' single `once("error")` listener is spent).
 * 4. `commandQueue.length`: commands sent and awaiting a reply, so closing does not QUIT behind them.
 * 5. The texts ioredis rejects a command with when the connection, not the command, failed (and
 *    socketTimeout's error text), matched by CONNECTION_FAILED and isReplyTimeout.
 */
import type { Redis } from "ioredis";

interface Internals {
  prevCommandQueue?: { length: number; shift(): { command: { reject(error: Error): void } } } | null;
  recoverFromFatalError(commandError: unknown, error: unknown, options?: { offlineQueue?: boolean }): void;
  stream?: { on(event: "error", listener: () => void): unknown };
  commandQueue?: { length: number };
}

const internals = (redis: Redis): Internals => redis as unknown as Internals;

/** What a command awaiting a reply rejects with when its connection closed (see failUnanswered). */
export const LOST_REPLY = "The connection to Redis closed before it replied";

/**
 * Reject the commands that were awaiting a reply when the connection closed (call on
 * "reconnecting"): ioredis 6 would drop them unsettled, so callers learn the outcome is unknown.
 */
export function failUnanswered(redis: Redis): void {
  const internal = internals(redis);
  const queue = internal.prevCommandQueue;
  if (!queue) return;
  internal.prevCommandQueue = null;
  const lost = new Error(LOST_REPLY);
  while (queue.length > 0) queue.shift().command.reject(lost);
}

/**
 * Keep commands queued through a failed handshake (a wrong password: WRONGPASS / NOAUTH; a failed
 * ready check) instead of rejecting them at each attempt: they go once a handshake succeeds.
 */
export function keepQueuedThroughHandshakeFailures(redis: Redis): void {
  const internal = internals(redis);
  const recover = internal.recoverFromFatalError.bind(redis);
  internal.recoverFromFatalError = (commandError, error, options) => recover(commandError, error, { ...options, offlineQueue: false });
}

const guarded = new WeakSet<object>();
/** A do-nothing error listener on the current socket, once per socket (call on "connect" and "error"). */
export function guardStream(redis: Redis): void {
  const stream = internals(redis).stream;
  if (!stream || guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", () => {});
}

/** How many commands were sent and await their reply. */
export const unansweredCount = (redis: Redis): number => internals(redis).commandQueue?.length ?? 0;

/**
 * What ioredis (and failUnanswered) reject a command with when the connection, not the command,
 * failed; and its Cluster client when no node could take it (a failover outlasting its redirections,
 * every node gone, the client closed, no primary for the slot yet): the outcome is unknown.
 */
export const CONNECTION_FAILED = new RegExp(
  `^(Command timed out|Connection is closed|Stream isn't writeable|${LOST_REPLY}|Too many Cluster redirections|CLUSTERDOWN|None of startup nodes is available|Cluster is ended|No primary of the Redis Cluster)`,
);

/** Whether `error` is a command's failure because of its connection (see CONNECTION_FAILED). */
export const isConnectionFailure = (error: unknown): error is Error => error instanceof Error && CONNECTION_FAILED.test(error.message);

/** Whether an error text is ioredis saying no reply came in time (commandTimeout, or socketTimeout). */
export const isReplyTimeout = (text: string): boolean => text === "Command timed out" || text.startsWith("Socket timeout");
