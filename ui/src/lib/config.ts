/** Minutes without a key press, click or pointer move before an open profile locks itself. */
export const AUTO_LOCK_MINUTES = 5
export const AUTO_LOCK_MS = AUTO_LOCK_MINUTES * 60 * 1000

/** Escape pressed twice within this many milliseconds hides and locks. */
export const PANIC_WINDOW_MS = 1000

/** Shortest passphrase the first-run screen accepts, in characters. */
export const MIN_PASSPHRASE_CHARS = 10
