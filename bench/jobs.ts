// Jobs for the benchmarks. Stamp records when it ran, so start-up can be timed to the first job.
import process from "node:process";
import { Redis } from "ioredis";
import { defineJob } from "../src/index.ts";

let redis: Redis | undefined;

export const stamp = defineJob("Stamp", {
  async perform() {
    redis ??= new Redis(process.env["BENCH_REPORT_URL"]!);
    await redis.rpush(process.env["BENCH_REPORT_KEY"]!, String(Date.now()));
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
