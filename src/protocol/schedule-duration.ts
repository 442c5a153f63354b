/**
 * fugit's duration grammar (Fugit::Duration.parse, what rufus-scheduler's `every` and `first_in` read):
 * `30s`, `15mins`, `1h30m`, `1d2h`, `2w`, `1M` (30 days), `1y` (365 days), bare seconds, or ISO 8601
 * (`PT1H`). Ported piece by piece so a string we accept is one a Ruby scheduler accepts too.
 */

const DAY = 86_400;

// fugit's piece parsers in its order; `m` is minutes and `M` months, the other units ignore case.
const NUMBER = String.raw`(\d+\.\d*|(?:\d*\.)?\d+) *`;
const PIECES: [RegExp, number][] = [
  [new RegExp(`${NUMBER}y(?:ears?)?`, "iy"), 365 * DAY],
  [new RegExp(`${NUMBER}(?:M|months?)`, "y"), 30 * DAY],
  [new RegExp(`${NUMBER}w(?:eeks?)?`, "iy"), 7 * DAY],
  [new RegExp(`${NUMBER}d(?:ays?)?`, "iy"), DAY],
  [new RegExp(`${NUMBER}h(?:ours?)?`, "iy"), 3600],
  [new RegExp(`${NUMBER}m(?:in(?:ute)?s?)?`, "y"), 60],
  [new RegExp(`${NUMBER}s(?:ec(?:ond)?)?s?`, "iy"), 1],
  // A bare number counts as seconds only at the very end of the string.
  [/(\d+\.\d*|\.\d+|\d+)$/y, 1],
];
const SEPARATOR = /(?:[ \t,]+|and)*/iy;
const SIGN = /[-+]?/y;

function at(re: RegExp, text: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(text);
}

function plainSeconds(text: string): number | undefined {
  let total = 0;
  let i = 0;
  let first = true;
  while (i < text.length) {
    if (!first) i = at(SEPARATOR, text, i)![0].length + i;
    const sign = at(SIGN, text, i)![0];
    i += sign.length;
    let pieces = 0;
    for (;;) {
      const piece = PIECES.map(([re, unit]) => ({ m: at(re, text, i), unit })).find(({ m }) => m !== null);
      if (!piece) break;
      total += (sign === "-" ? -1 : 1) * Number(piece.m![1]) * piece.unit;
      i += piece.m![0].length;
      pieces++;
    }
    if (pieces === 0) return undefined;
    first = false;
  }
  return first ? undefined : total;
}

const ISO = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?(?:\d*\.)?\d+)S)?)?$/;
const ISO_UNITS = [365 * DAY, 30 * DAY, 7 * DAY, DAY, 3600, 60, 1];

function isoSeconds(text: string): number | undefined {
  const m = ISO.exec(text.toUpperCase());
  if (!m || m.slice(1).every((v) => v === undefined) || text.toUpperCase().endsWith("T")) return undefined;
  return m.slice(1).reduce((sum, v, i) => sum + (v === undefined ? 0 : Number(v) * ISO_UNITS[i]!), 0);
}

/** Seconds in a fugit duration string (a number is seconds already); undefined when fugit would not parse it. */
export function durationSeconds(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const text = value.trim();
  if (text === "" || text.length > 512) return undefined;
  return plainSeconds(text) ?? isoSeconds(text);
}
