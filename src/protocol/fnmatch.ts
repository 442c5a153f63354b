/**
 * Ruby's File.fnmatch? with default flags, which stock uses to expand queue globs:
 * `*` (crosses `/` too), `?`, `[...]` with `!`/`^` negation and ranges, `\` escapes,
 * `{a,b}` is literal, and a leading `.` is only matched by a literal `.`.
 */
const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += "[^]*";
    else if (c === "?") source += "[^]";
    else if (c === "\\" && i + 1 < pattern.length) source += escape(pattern[++i]!);
    else if (c === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) source += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        const negated = body.startsWith("!") || body.startsWith("^");
        if (negated) body = body.slice(1);
        source += `[${negated ? "^" : ""}${body.replace(/[\]\\^]/g, (m) => `\\${m}`)}]`;
        i = end;
      }
    } else source += escape(c);
  }
  return new RegExp(`${source}$`, "u");
}

function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  const end = pattern.indexOf("]", i);
  return end;
}

// Only regex syntax characters: the "u" flag rejects needless escapes such as `\-`.
const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** True when `name` matches the glob `pattern` as Ruby's File.fnmatch?(pattern, name) says. */
export function fnmatch(pattern: string, name: string): boolean {
  if (name.startsWith(".") && !(pattern.startsWith(".") || pattern.startsWith("\\."))) return false;
  let re = cache.get(pattern);
  if (!re) {
    re = toRegExp(pattern);
    cache.set(pattern, re);
  }
  return re.test(name);
}
