/** Polling for the test servers' harnesses (a Sentinel group, a Cluster): until a check passes, or fail naming what was awaited. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every 100 ms until `check` resolves true (a rejection counts as false); throws `<who>: timed out waiting until <what>`. */
export async function until(who: string, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${who}: timed out waiting until ${what}`);
    await sleep(100);
  }
}
