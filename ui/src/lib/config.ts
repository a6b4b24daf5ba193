import { writable } from 'svelte/store'

/** Minutes without a key press, click or pointer move before an open profile locks itself,
 * unless Settings chose another of AUTO_LOCK_CHOICES (remembered on this computer; a setting,
 * never record data). */
export const AUTO_LOCK_MINUTES = 5
export const AUTO_LOCK_CHOICES = [1, 2, 5, 10, 15, 30] as const
const AUTO_LOCK_KEY = 'fieldcase.autoLockMinutes'

/** The remembered choice, or the default when none (or something else) is stored. */
export function readAutoLock(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  try {
    const n = Number(storage?.getItem(AUTO_LOCK_KEY))
    return (AUTO_LOCK_CHOICES as readonly number[]).includes(n) ? n : AUTO_LOCK_MINUTES
  } catch {
    return AUTO_LOCK_MINUTES
  }
}

/** Minutes before auto-lock, as chosen now. */
export const autoLockMinutes = writable<number>(readAutoLock())

export function setAutoLock(minutes: number): void {
  if (!(AUTO_LOCK_CHOICES as readonly number[]).includes(minutes)) return
  autoLockMinutes.set(minutes)
  try {
    globalThis.localStorage?.setItem(AUTO_LOCK_KEY, String(minutes))
  } catch {
    // Not remembered; it still applies to this run.
  }
}

/** Escape pressed twice within this many milliseconds hides and locks. */
export const PANIC_WINDOW_MS = 1000

/** Shortest passphrase the first-run screen accepts, in characters. */
export const MIN_PASSPHRASE_CHARS = 10
