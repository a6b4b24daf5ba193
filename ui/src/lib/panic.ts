// The panic key: Escape twice within a short window. Returns a keydown
// handler; `now` is injectable for tests.

export function createPanicKey(
  onPanic: () => void,
  windowMs: number,
  now: () => number = () => performance.now(),
): (event: Pick<KeyboardEvent, 'key' | 'repeat'>) => void {
  let last = Number.NEGATIVE_INFINITY
  return (event) => {
    if (event.key !== 'Escape' || event.repeat) return
    const t = now()
    if (t - last <= windowMs) {
      last = Number.NEGATIVE_INFINITY
      onPanic()
    } else {
      last = t
    }
  }
}
