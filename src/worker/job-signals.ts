/**
 * Which signals a job may send from a worker process. Two kinds would end the pool without the
 * job being charged: any signal to the master (TERM stops it, and its jobs go back uncounted,
 * on every start), and a control signal to the worker's own process or group (TERM there makes
 * the worker hand the job back uncounted and exit, again and again). Those are refused with a
 * clear error, so the job fails instead. Fatal signals to itself (KILL, SEGV...) are allowed:
 * the process dies, and the master charges the job toward RECOVERY_LIMIT like any crash.
 */

/** Signals a worker process traps to be told what to do: not a job's to send it. */
const CONTROL = new Set(["TERM", "INT", "QUIT", "USR1", "USR2", "CONT", "HUP"]);

/** Thrown into a job that signals its master or its own worker's controls. */
export class SignalRefused extends Error {
  override name = "Resque::SignalRefused";
}

/** The refusal for a job sending `signal` to `pid`, or undefined to let it go (self: this worker process, which leads its own group). */
export function refuseJobSignal(pid: number, signal: string, self: number, master: number): SignalRefused | undefined {
  if (signal === "0") return undefined; // an existence check sends nothing
  if (pid === master || pid === -master) {
    return new SignalRefused(
      `A job may not signal its worker's master (pid ${master}, SIG${signal}): that would stop or change the whole pool ` +
        "while this job went back uncounted. Stop or signal the pool from outside (a shell, systemd, resque web); to give up on this job, throw.",
    );
  }
  const own = pid === self || pid === 0 || pid === -self;
  if (own && CONTROL.has(signal)) {
    return new SignalRefused(
      `A job may not send SIG${signal} to its own worker process${pid === self ? "" : "'s group"} (pid ${self}): ` +
        "that signal tells the worker to stop or pause, and the job would go back uncounted. To give up on this job, throw.",
    );
  }
  return undefined;
}
