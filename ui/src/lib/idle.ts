// Auto-lock is kept by the shell, on a clock that counts time asleep (src-tauri/src/idle.rs):
// the page only reports that someone is using the app, at most once every `everyMs`, and
// the shell locks when its deadline passes whether or not the page still reports.

export type ActivityReporter = () => void

/** A poke to call on every key press, click, pointer move or scroll: `report` runs at
 * once, then at most once per `everyMs` however often it is poked. `now` is for tests. */
export function createActivityReporter(
  report: () => void,
  everyMs = 1000,
  now: () => number = () => performance.now(),
): ActivityReporter {
  let last = Number.NEGATIVE_INFINITY
  return () => {
    const t = now()
    if (t - last < everyMs) return
    last = t
    report()
  }
}

/** The events that count as someone using the app. */
export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const
