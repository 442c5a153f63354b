// Hot-path micro benchmarks (tinybench): payload codec, the lossless big-integer path,
// queue-list resolution and title formatting. `npm run bench:micro`.
import { Bench } from "tinybench";
import {
  canonicalJson,
  decodePayload,
  encodeFailure,
  encodePayload,
  parseQueueList,
  processingTitle,
  resolveQueues,
} from "../src/protocol/index.ts";

const small = '{"class":"Archive","args":[42,{"compress":true},"report.pdf"]}';
const big = '{"class":"Snowflake","args":[9007199254740993,{"ids":[1234567890123456789,2345678901234567890]}]}';
const glob = parseQueueList("critical,*,!low,!file_*");
const known = Array.from({ length: 50 }, (_, i) => `queue_${i}`).concat(["critical", "low", "file_x"]);
const at = new Date();

const bench = new Bench({ time: 500 });
bench
  .add("encodePayload", () => encodePayload("Archive", [42, { compress: true }, "report.pdf"]))
  .add("decodePayload (fast path)", () => decodePayload(small))
  .add("decodePayload (big integers)", () => decodePayload(big))
  .add("canonicalJson", () => canonicalJson(small))
  .add("encodeFailure", () =>
    encodeFailure({
      at,
      rawPayload: small,
      exception: "Error",
      error: "boom",
      backtrace: ["/app/jobs.ts:3:in `perform'"],
      worker: "vm:1:q",
      queue: "q",
    }),
  )
  .add("resolveQueues (glob, 53 queues)", () => resolveQueues(glob, known))
  .add("processingTitle", () => processingTitle("archive", 1795420485, ["Archive", "Mailer::Deliver"]));

await bench.run();
console.table(bench.table());
