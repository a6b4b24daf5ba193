// Work that must be saved before the profile locks (the panic key, auto-lock,
// the Lock button). A screen with unsaved typing registers one flush; the lock
// starts it synchronously (so it captures what is on screen), hides the
// screen at once, and closes the store only when the save is done or after
// `FLUSH_LIMIT_MS`, whichever comes first.

export const FLUSH_LIMIT_MS = 2000

let hook: (() => Promise<unknown>) | null = null

/** Registers `flush`; returns the function that unregisters it. */
export function onBeforeLock(flush: () => Promise<unknown>): () => void {
  hook = flush
  return () => {
    if (hook === flush) hook = null
  }
}

/** Starts the registered flush now; resolves when it is done (never rejects). */
export function flushBeforeLock(limitMs = FLUSH_LIMIT_MS): Promise<void> {
  const h = hook
  hook = null
  if (!h) return Promise.resolve()
  let started: Promise<unknown>
  try {
    started = h()
  } catch {
    return Promise.resolve()
  }
  return Promise.race([
    started.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => setTimeout(resolve, limitMs)),
  ])
}
