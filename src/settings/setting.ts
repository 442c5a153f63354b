/**
 * One declared row per setting: its environment variables, its flag, how its value reads, its
 * default and its help text. The CLI's flags, the environment a master hands its worker
 * processes, the resolved settings and the help screens all come from these rows, so a setting
 * cannot be half-wired. Pure data: every layer may import it.
 */

/** The processes (and commands) that read a setting. */
export type Role =
  /** `resque work`'s master. */
  | "master"
  /** A worker process under a master, or the inline worker of `--no-fork`. */
  | "worker"
  /** `resque scheduler`, alone or under a master. */
  | "scheduler"
  /** `resque web`. */
  | "web"
  /** Every other command that reaches Redis (queues, stats, enqueue, failed, ...). */
  | "command";

/**
 * How a value reads. `string`: as given. `number`: a number >= min (`integer` floors it).
 * `list`: comma-separated, blanks dropped. `set`: stock's boolean, on when the variable is set,
 * whatever its value. `truthy`: on for 1/t/true/on/yes/y (Ruby's config reader). `choice`: one of `choices`.
 */
export type Kind = "string" | "number" | "integer" | "list" | "set" | "truthy" | "choice";

export interface Setting {
  /** Environment variables, the first set (and not empty) wins; the first names the setting in errors. */
  readonly env: readonly string[];
  /** Its flag without the dashes, or null: read from the environment only, on purpose. */
  readonly flag: string | null;
  readonly kind: Kind;
  /** The flag's value in help screens (`--threads N`). */
  readonly valueHint?: string;
  readonly min?: number;
  readonly choices?: readonly string[];
  /** The value when neither the flag nor a variable gives one. */
  readonly default?: number | string;
  /** The default as people read it when it is not a plain value ("INTERVAL", "none", "off"). */
  readonly defaultText?: string;
  /** No default: the command refuses to start without it. */
  readonly required?: boolean;
  /** The flag's help line (it names the variables and the default). */
  readonly help: string;
  /** A different help line in one command, by its name (`--schedule` means a little more under `work`). */
  readonly helpIn?: Readonly<Record<string, string>>;
  /** `fork`: citty's `--no-fork`, whose help is this; `help` is what plain `--fork` says. */
  readonly negated?: string;
  readonly roles: readonly Role[];
}

/** A named table of settings, its literal types kept for the readers. */
export const settings = <const T extends Record<string, Setting>>(table: T): T => table;
