/**
 * Running a Lua script as its header declares it (see scripts/gen-scripts.mjs): KEYS and ARGV are
 * given by name and laid out in the header's order, so a caller never counts positions. The typed
 * calls in scripts.ts are the only users.
 */
import type { Db } from "./connection.ts";
import type { LuaScript } from "./scripts.generated.ts";

export type Value = string | number;
/** One value per name of `N` (a name missing or extra fails tsc). */
export type Named<N extends readonly string[], V = Value> = { readonly [K in N[number]]: V };

/** A group's values in the order its GROUP line names them. */
export function fields<const N extends readonly string[]>(names: N, values: Named<N>): Value[] {
  return names.map((n: N[number]) => values[n]);
}

/** Each name's position in a group or a reply, for decoding (`at.payload`). */
export function positions<const N extends readonly string[]>(names: N): Named<N, number> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Named<N, number>;
}

/** KEYS and ARGV of one call: the header's fixed names, optional ones, then the rest (if it declares one). */
export interface Call<S extends LuaScript> {
  keys: Named<S["keys"], string> & Partial<Named<S["optionalKeys"], string>>;
  argv: Named<S["argv"]> & Partial<Named<S["optionalArgv"], Value>>;
  restKeys?: readonly string[];
  restArgv?: readonly Value[];
}

type Command = (...args: Value[]) => Promise<unknown>;

/**
 * The script's reply, raw (decoding is the typed call's). connection.ts defined each script as an
 * ioredis command (EVALSHA, falling back to EVAL once per connection); a varying key list is sent
 * with its count first, as ioredis expects for a command defined without numberOfKeys.
 */
export function runScript<S extends LuaScript>(db: Db, script: S, call: Call<S>): Promise<unknown> {
  const args = layOut(script, call);
  const command = (db.redis as unknown as Record<string, Command>)[script.name]!;
  return command.apply(db.redis, args);
}

/** A keys object's fixed names laid out, kept while the object lives: a caller that hands the same
 * keys to every call (the worker's cycle, cycle-script.ts) pays for the layout once. */
const laidOutKeys = new WeakMap<object, readonly Value[]>();

/** The arguments runScript sends after the script: [key count,] KEYS, ARGV. */
function layOut<S extends LuaScript>(script: S, call: Call<S>): Value[] {
  let fixed = laidOutKeys.get(call.keys);
  if (!fixed) {
    fixed = fields(script.keys, call.keys);
    laidOutKeys.set(call.keys, fixed);
  }
  const keys: Value[] = [...fixed];
  const argv: Value[] = fields(script.argv, call.argv);
  const optionalKeys = call.keys as Partial<Record<string, string>>;
  for (const name of script.optionalKeys) if (optionalKeys[name] !== undefined) keys.push(optionalKeys[name]);
  const optionalArgv = call.argv as Partial<Record<string, Value>>;
  for (const name of script.optionalArgv) if (optionalArgv[name] !== undefined) argv.push(optionalArgv[name]);
  if (call.restKeys) for (const key of call.restKeys) keys.push(key);
  if (call.restArgv) for (const value of call.restArgv) argv.push(value);
  return script.numberOfKeys === undefined ? [keys.length, ...keys, ...argv] : [...keys, ...argv];
}
