/** This library's version; it appears in process titles (`resque-<version>: ...`) as stock's does. */
export const VERSION = "0.1.0";

/** The stock Resque release whose wire format this project speaks. */
export const RESQUE_COMPAT_VERSION = "3.0.0";

/** The npm package's name: what job modules import, and what the binary answers that import with. */
export const PACKAGE_NAME = "resque-ts";
