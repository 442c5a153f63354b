/**
 * One child process as the master keeps it: the group it belongs to, what it has told the master
 * (registered, draining, its liveness tick and job deadlines), and whether the master killed it.
 */
import type { ChildHandle } from "../runtime/types.ts";
import type { DeadlineReport } from "../worker/running-job.ts";
import type { WorkerMessage } from "./messages.ts";
import type { KillReason } from "./watchdog.ts";
import type { WorkerGroup } from "./worker-group.ts";

/** Start-up (loading job modules, connecting) gets this much on top of WATCHDOG_TIMEOUT before the first tick. */
const STARTUP_ALLOWANCE_MS = 30_000;

export interface Slot {
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

/** A process just started: its first tick is due only after the start-up allowance. */
export function newSlot(handle: ChildHandle, group: WorkerGroup, now: number): Slot {
  return {
    handle,
    group,
    startedAt: now,
    draining: false,
    retired: false,
    registered: false,
    lastTick: now + STARTUP_ALLOWANCE_MS,
    deadlines: [],
  };
}

/**
 * Take in a message from the slot's process (anything malformed is ignored). Returns what the
 * master must do about it: "draining" (start its replacement) or the kill it asked for.
 */
export function takeMessage(slot: Slot, raw: unknown): "draining" | KillReason | undefined {
  const message = raw as WorkerMessage | undefined;
  if (message?.type === "tick") {
    slot.lastTick = Date.now();
    slot.deadlines = Array.isArray(message.deadlines) ? message.deadlines : [];
  } else if (message?.type === "kill" && Array.isArray(message.tokens) && !slot.killed) {
    return {
      kind: "killed",
      tokens: message.tokens.map(String),
      startedMs: Array.isArray(message.startedMs) ? message.startedMs.map(Number) : [],
    };
  } else if (message?.type === "registered") {
    slot.registered = true;
  } else if (message?.type === "draining" && !slot.draining) {
    slot.draining = true;
    return "draining";
  }
  return undefined;
}
