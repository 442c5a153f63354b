/** "Did you mean ...?": the closest known name to a typo, when one is close enough to be what was meant. */

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `typed` (case ignored), or undefined when none is plausibly meant. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(t, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  // About one slip per three letters: "enqeue" finds enqueue, "foo" finds nothing.
  if (best && best.distance <= Math.max(1, Math.floor(t.length / 3))) return best.name;
  const prefixed = known.filter((name) => t.length >= 3 && name.toLowerCase().startsWith(t));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
