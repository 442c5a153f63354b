/**
 * The signal guard (see Runtime.guardSignals): process.kill, and Deno.kill on Deno, replaced by
 * versions that ask a rule first. Job code runs in the worker process, and a signal it sends to
 * the master or to the worker itself would otherwise end the pool with its jobs uncounted.
 */
import { constants } from "node:os";
import process from "node:process";
import type { SignalRule } from "./types.ts";

const NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name.slice(3)]));

/** "SIGTERM", "TERM", 15 or nothing (process.kill's default) -> "TERM"; an unknown one as given. */
export function signalName(signal: unknown): string {
  if (signal === undefined) return "TERM";
  if (typeof signal === "number") return signal === 0 ? "0" : (NAMES.get(signal) ?? String(signal));
  const text = String(signal).toUpperCase();
  return text.startsWith("SIG") ? text.slice(3) : text;
}

export function guardSignals(rule: SignalRule): void {
  const check = (pid: unknown, signal: unknown) => {
    const refused = rule(Number(pid), signalName(signal));
    if (refused) throw refused;
  };
  const processKill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    check(pid, signal);
    return processKill(pid, signal);
  }) as typeof process.kill;
  const deno = (globalThis as { Deno?: { kill?: (pid: number, signal?: string) => void } }).Deno;
  if (typeof deno?.kill === "function") {
    const denoKill = deno.kill.bind(deno);
    Object.defineProperty(deno, "kill", {
      configurable: true,
      value: (pid: number, signal?: string) => {
        check(pid, signal);
        return denoKill(pid, signal);
      },
    });
  }
}
