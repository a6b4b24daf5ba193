import { describe, expect, it, vi } from 'vitest'
import { flushBeforeLock, onBeforeLock } from './flush'

describe('flush before lock', () => {
  it('runs the registered flush once, synchronously, and waits for it', async () => {
    let done = false
    const flush = vi.fn(() => new Promise<void>((r) => setTimeout(() => ((done = true), r()), 10)))
    onBeforeLock(flush)
    const p = flushBeforeLock()
    expect(flush).toHaveBeenCalledTimes(1)
    await p
    expect(done).toBe(true)
    await flushBeforeLock()
    expect(flush).toHaveBeenCalledTimes(1)
  })

  it('does not wait past the limit, nor fail when the save fails', async () => {
    onBeforeLock(() => new Promise(() => {}))
    await flushBeforeLock(5)
    onBeforeLock(() => Promise.reject(new Error('locked')))
    await flushBeforeLock()
  })

  it('an unregistered flush is not run', async () => {
    const flush = vi.fn(() => Promise.resolve())
    const off = onBeforeLock(flush)
    off()
    await flushBeforeLock()
    expect(flush).not.toHaveBeenCalled()
  })
})
