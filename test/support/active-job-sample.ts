// The values a TS job receives for test/compat/active-job.rb's `sample` arguments plus
// `mode: "fast", level: 3` (shared by the codec test, which reads bytes captured from that script,
// and the compatibility test, which runs it).
import { BigDecimal, CalendarDate, Duration, GlobalID, Range } from "../../src/index.ts";

export const RAILS_SAMPLE_VALUES: unknown[] = [
  42,
  -7,
  1152921504606846976n,
  1.5,
  2,
  1e-5,
  "text é ✓",
  null,
  true,
  false,
  { compress: true, n: 1.5 },
  { plain: [1, [2, [3, "deep"]]] },
  "a_symbol",
  new Date("2026-11-23T16:18:57.500Z"),
  new CalendarDate(2026, 11, 23),
  new Date("2026-11-23T08:30:15.000Z"),
  new Date("2026-11-23T09:00:00.000Z"),
  new Duration(5400, { hours: 1, minutes: 30 }),
  new BigDecimal("12345678901234567890.123456789"),
  "String",
  new Range(1, 10, false),
  new Range(1, 10, true),
  new GlobalID("app", "User", "1"),
  ["nested", { k: ["v"] }],
  { mode: "fast", level: 3 },
];
