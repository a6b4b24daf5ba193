// Auto-lock: calls `onIdle` once after `ms` without activity. `poke` on every
// key press, click, pointer move or scroll; `stop` when locked.

export interface IdleTimer {
  poke(): void
  stop(): void
}

export function createIdleTimer(ms: number, onIdle: () => void): IdleTimer {
  let handle: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    if (handle !== undefined) clearTimeout(handle)
    handle = setTimeout(() => {
      handle = undefined
      onIdle()
    }, ms)
  }
  arm()
  return {
    poke: arm,
    stop() {
      if (handle !== undefined) clearTimeout(handle)
      handle = undefined
    },
  }
}

/** The events that count as someone using the app. */
export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const
