// The worker loop's choices (src/worker/loop-decision.ts), case by case, without Redis: each case
// starts from a worker with 4 free slots and nothing going on, and changes only what it is about.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideLoop, freeSlots, isStopping, type LoopState, releasesTaken, type StopMode } from "../../src/worker/loop-decision.ts";

const idle: LoopState = {
  stop: "none",
  paused: false,
  solo: false,
  running: 0,
  finished: 0,
  threads: 4,
  maxJobs: Number.POSITIVE_INFINITY,
  taken: 0,
  inFlight: 0,
  asked: 0,
  lost: 0,
  flowing: false,
  worked: false,
  exitWhenEmpty: false,
};
const state = (change: Partial<LoopState>): LoopState => ({ ...idle, ...change });
const emptyReply = (change: Partial<LoopState> = {}, reply = { want: 4, paused: false }): LoopState =>
  state({ ...change, emptyReply: reply });

describe("loop decision: how many slots a cycle may ask for", () => {
  it("every slot, when nothing runs and nothing is asked", () => {
    assert.equal(freeSlots(idle), 4);
  });
  it("the slots neither running nor asked for by a cycle on its way", () => {
    assert.equal(freeSlots(state({ running: 1 })), 3);
    assert.equal(freeSlots(state({ running: 1, asked: 2 })), 1);
    assert.equal(freeSlots(state({ running: 4 })), 0);
  });
  it("never below zero, even when more are asked than there are slots", () => {
    assert.equal(freeSlots(state({ running: 3, asked: 3 })), 0);
  });
  it("what is left of the JOBS_PER_FORK batch, counting what cycles on their way may take", () => {
    assert.equal(freeSlots(state({ maxJobs: 10, taken: 8 })), 2);
    assert.equal(freeSlots(state({ maxJobs: 10, taken: 8, asked: 1 })), 1);
    assert.equal(freeSlots(state({ maxJobs: 10, taken: 10 })), 0);
  });
  it("none while paused", () => {
    assert.equal(freeSlots(state({ paused: true })), 0);
  });
  it("none while a suspect job runs alone", () => {
    assert.equal(freeSlots(state({ solo: true, running: 1 })), 0);
  });
  for (const stop of ["drain", "quit", "abandon"] as const) {
    it(`none once stopping (${stop})`, () => {
      assert.equal(freeSlots(state({ stop })), 0);
    });
  }
});

describe("loop decision: stop modes", () => {
  it("only 'none' takes jobs", () => {
    const modes: StopMode[] = ["none", "drain", "quit", "abandon"];
    assert.deepEqual(
      modes.map((m) => isStopping(m)),
      [false, true, true, true],
    );
  });
  it("jobs a cycle took while stopping go back to their queues on quit and abandon, and run on drain", () => {
    const modes: StopMode[] = ["none", "drain", "quit", "abandon"];
    assert.deepEqual(
      modes.map((m) => releasesTaken(m)),
      [false, false, true, true],
    );
  });
});

describe("loop decision: no reply to handle", () => {
  it("idle and free: one cycle asking for every free slot", () => {
    assert.deepEqual(decideLoop(idle), { do: "send", want: 4 });
  });
  it("flowing: a second cycle may go, each asking for half the slots", () => {
    assert.deepEqual(decideLoop(state({ flowing: true })), { do: "send", want: 2 });
    assert.deepEqual(decideLoop(state({ flowing: true, inFlight: 1, asked: 2 })), { do: "send", want: 2 });
  });
  it("flowing with an odd thread count: half rounded up", () => {
    assert.deepEqual(decideLoop(state({ flowing: true, threads: 3 })), { do: "send", want: 2 });
  });
  it("flowing, but fewer free slots than half: only those", () => {
    assert.deepEqual(decideLoop(state({ flowing: true, running: 3 })), { do: "send", want: 1 });
  });
  it("flowing with two cycles on their way: waits for a reply", () => {
    assert.deepEqual(decideLoop(state({ flowing: true, inFlight: 2, asked: 4 })), { do: "wait" });
  });
  it("not flowing with one cycle on its way: waits for its reply", () => {
    assert.deepEqual(decideLoop(state({ inFlight: 1, asked: 4 })), { do: "wait" });
  });
  it("every slot running: waits for a job to finish", () => {
    assert.deepEqual(decideLoop(state({ running: 4 })), { do: "wait" });
  });
  it("every slot running and a job finished: a cycle that only records it", () => {
    assert.deepEqual(decideLoop(state({ running: 4, finished: 1 })), { do: "send", want: 0 });
  });
  it("a suspect runs alone: takes nothing, but still records what finished", () => {
    assert.deepEqual(decideLoop(state({ solo: true, running: 1 })), { do: "wait" });
    assert.deepEqual(decideLoop(state({ solo: true, running: 1, finished: 1 })), { do: "send", want: 0 });
  });
  it("JOBS_PER_FORK reached: takes nothing more", () => {
    assert.deepEqual(decideLoop(state({ maxJobs: 5, taken: 5, running: 1 })), { do: "wait" });
  });
  it("JOBS_PER_FORK nearly reached: asks only for the rest of the batch", () => {
    assert.deepEqual(decideLoop(state({ maxJobs: 5, taken: 4 })), { do: "send", want: 1 });
  });
  it("paused with nothing running: rests an interval at a time, without watching the queues", () => {
    assert.deepEqual(decideLoop(state({ paused: true })), { do: "rest", paused: true, watch: false, queueEmpty: false, backoff: false });
  });
  it("paused with jobs running: waits for them", () => {
    assert.deepEqual(decideLoop(state({ paused: true, running: 2 })), { do: "wait" });
  });
  it("paused with a job finished: records it", () => {
    assert.deepEqual(decideLoop(state({ paused: true, running: 1, finished: 1 })), { do: "send", want: 0 });
  });
  it("a lost reply and no other cycle on its way: reconcile", () => {
    assert.deepEqual(decideLoop(state({ lost: 1 })), { do: "reconcile" });
    assert.deepEqual(decideLoop(state({ lost: 2, running: 3, finished: 1 })), { do: "reconcile" });
  });
  it("a lost reply with another cycle on its way: no new cycle, wait for that one", () => {
    assert.deepEqual(decideLoop(state({ lost: 1, inFlight: 1, asked: 2, flowing: true })), { do: "wait" });
    assert.deepEqual(decideLoop(state({ lost: 1, inFlight: 1, finished: 2, flowing: true })), { do: "wait" });
  });
  for (const stop of ["drain", "quit", "abandon"] as const) {
    it(`stopping (${stop}) with nothing running, finished or on its way: stop`, () => {
      assert.deepEqual(decideLoop(state({ stop })), { do: "stop", queueEmpty: false });
    });
    it(`stopping (${stop}) with jobs running: wait for them, take nothing`, () => {
      assert.deepEqual(decideLoop(state({ stop, running: 2 })), { do: "wait" });
    });
    it(`stopping (${stop}) with a job finished: a cycle that only records it`, () => {
      assert.deepEqual(decideLoop(state({ stop, running: 1, finished: 1 })), { do: "send", want: 0 });
    });
    it(`stopping (${stop}) with a cycle on its way: wait for its reply`, () => {
      assert.deepEqual(decideLoop(state({ stop, inFlight: 1 })), { do: "wait" });
    });
  }
  it("stopping while paused with nothing left: stop rather than rest", () => {
    assert.deepEqual(decideLoop(state({ stop: "quit", paused: true })), { do: "stop", queueEmpty: false });
  });
});

describe("loop decision: the reply just handled took nothing", () => {
  it("another cycle on its way: go round again", () => {
    assert.deepEqual(decideLoop(emptyReply({ inFlight: 1 })), { do: "next" });
  });
  it("jobs finished meanwhile: go round again (to record them)", () => {
    assert.deepEqual(decideLoop(emptyReply({ finished: 1, running: 1 })), { do: "next" });
  });
  it("jobs running, slots free: wait for a job or a finished one, watching the queues", () => {
    assert.deepEqual(decideLoop(emptyReply({ running: 2 })), { do: "idle", watch: true });
  });
  it("jobs running, but the cycle asked for nothing: wait without watching the queues", () => {
    assert.deepEqual(decideLoop(emptyReply({ running: 4 }, { want: 0, paused: false })), { do: "idle", watch: false });
  });
  it("jobs running, paused by this worker or by the global pause: no watch (those jobs may not be taken)", () => {
    assert.deepEqual(decideLoop(emptyReply({ running: 2, paused: true })), { do: "idle", watch: false });
    assert.deepEqual(decideLoop(emptyReply({ running: 2 }, { want: 2, paused: true })), { do: "idle", watch: false });
  });
  it("nothing running: rest on the queues, and back off", () => {
    assert.deepEqual(decideLoop(emptyReply()), { do: "rest", paused: false, watch: true, queueEmpty: false, backoff: true });
  });
  it("nothing running after having worked: the queueEmpty hooks first", () => {
    assert.deepEqual(decideLoop(emptyReply({ worked: true })), { do: "rest", paused: false, watch: true, queueEmpty: true, backoff: true });
  });
  it("nothing running under the global pause: rest paused, not watching", () => {
    assert.deepEqual(decideLoop(emptyReply({}, { want: 4, paused: true })), {
      do: "rest",
      paused: true,
      watch: false,
      queueEmpty: false,
      backoff: true,
    });
  });
  it("INTERVAL=0 and nothing running: stop, after the queueEmpty hooks if it worked", () => {
    assert.deepEqual(decideLoop(emptyReply({ exitWhenEmpty: true })), { do: "stop", queueEmpty: false });
    assert.deepEqual(decideLoop(emptyReply({ exitWhenEmpty: true, worked: true })), { do: "stop", queueEmpty: true });
  });
  it("INTERVAL=0 with jobs still running: wait for them", () => {
    assert.deepEqual(decideLoop(emptyReply({ exitWhenEmpty: true, running: 1 })), { do: "idle", watch: true });
  });
  for (const stop of ["drain", "quit", "abandon"] as const) {
    it(`stopping (${stop}) with nothing running: stop, without the queueEmpty hooks`, () => {
      assert.deepEqual(decideLoop(emptyReply({ stop, worked: true })), { do: "stop", queueEmpty: false });
    });
  }
  it("a lost reply waiting does not make an empty reply reconcile at once (the next round does)", () => {
    assert.deepEqual(decideLoop(emptyReply({ lost: 1, running: 1 })), { do: "idle", watch: true });
  });
});
