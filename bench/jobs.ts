// Jobs for the benchmarks (stock_worker.rb defines the same classes for Ruby). Stamp reports to
// Redis when it ran, for start-up; Pickup acknowledges that its perform started, and the pusher
// times that on its own clock (bench/lib/driver.ts oneClockPickup).
import process from "node:process";
import { Redis } from "ioredis";
import { defineJob } from "../src/index.ts";

let redis: Redis | undefined;
const report = () => (redis ??= new Redis(process.env["BENCH_REPORT_URL"]!));

export const stamp = defineJob("Stamp", {
  async perform() {
    await report().rpush(process.env["BENCH_REPORT_KEY"]!, String(Date.now()));
  },
});

export const pickup = defineJob("Pickup", {
  async perform() {
    await report().rpush("resque:bench:pickup", "1");
  },
});

export const noop = defineJob("Noop", { perform() {} });

export const sleep1ms = defineJob("Sleep1ms", { perform: () => new Promise((resolve) => setTimeout(resolve, 1)) });

export const cpu = defineJob("Cpu", {
  perform() {
    let a = 0;
    for (let i = 1; i <= 2000; i++) a += (i * i) % 7;
    return a;
  },
});
