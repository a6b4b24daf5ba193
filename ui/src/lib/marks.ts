// Performance marks that scripts/measure-desktop reads through WebDriver
// (performance.getEntriesByType('mark')). They hold names and times only, in the
// window's memory; nothing is written anywhere.

import { tick } from 'svelte'

/** Before the unlock command is sent, and when it has returned (the KDF and opening the store). */
export const MARK_UNLOCK_SENT = 'fieldcase:unlock-sent'
export const MARK_UNLOCK_RETURNED = 'fieldcase:unlock-returned'
/** Home has its data (profile, drafts, what awaits export, counts) on screen. */
export const MARK_HOME_READY = 'fieldcase:home-ready'

/** Marks `name` once the DOM has the latest state and the next frame has been painted. */
export function markWhenDrawn(name: string): void {
  if (typeof performance === 'undefined') return
  void tick().then(() => {
    if (typeof requestAnimationFrame === 'undefined') return performance.mark(name)
    // The frame callback runs just before the paint; a task queued from it runs after.
    requestAnimationFrame(() => setTimeout(() => performance.mark(name), 0))
  })
}
