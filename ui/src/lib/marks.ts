// Performance marks that scripts/measure-desktop reads through WebDriver
// (performance.getEntriesByType('mark')). They hold names and times only, in the
// window's memory; nothing is written anywhere.

import { tick } from 'svelte'

/** Before the unlock command is sent, and when it has returned (the KDF and opening the store). */
export const MARK_UNLOCK_SENT = 'fieldcase:unlock-sent'
export const MARK_UNLOCK_RETURNED = 'fieldcase:unlock-returned'
/** Home has its data (profile, drafts, record counts) on screen. */
export const MARK_HOME_READY = 'fieldcase:home-ready'
/** Home (field laptop) also shows what awaits export, which it asks for last. */
export const MARK_HOME_SENDING = 'fieldcase:home-sending'
/** Each of Home's calls as it returns, so a slow Home can be taken apart. */
export const markHomeStep = (step: 'mounted' | 'profile' | 'drafts' | 'counts' | 'recent') => mark(`fieldcase:home-${step}`)

/** A mark now, where performance marks exist (not in every test environment). */
export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name)
}

/** Marks `name` once the DOM has the latest state and the next frame has been painted;
 * resolves then, so a caller can wait for the screen before asking for slower things. */
export function markWhenDrawn(name: string): Promise<void> {
  if (typeof performance === 'undefined') return Promise.resolve()
  return tick().then(
    () =>
      new Promise<void>((resolve) => {
        let done = false
        const mark = () => {
          if (done) return
          done = true
          performance.mark(name)
          resolve()
        }
        if (typeof requestAnimationFrame === 'undefined') return mark()
        // The frame callback runs just before the paint; a task queued from it runs after.
        requestAnimationFrame(() => setTimeout(mark, 0))
        // A hidden window gets no frames: go on anyway after a second.
        setTimeout(mark, 1000)
      }),
  )
}
