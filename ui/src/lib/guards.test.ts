import { describe, expect, it, vi } from 'vitest'
import { createActivityReporter } from './idle'
import { createPanicKey } from './panic'
import { strength } from './strength'

describe('panic key', () => {
  it('fires on Escape twice within the window, not on one or a slow pair', () => {
    let now = 0
    const onPanic = vi.fn()
    const key = createPanicKey(onPanic, 1000, () => now)
    const esc = { key: 'Escape', repeat: false }
    key(esc)
    expect(onPanic).not.toHaveBeenCalled()
    now = 1500
    key(esc) // too slow: starts a new pair
    expect(onPanic).not.toHaveBeenCalled()
    now = 2000
    key(esc)
    expect(onPanic).toHaveBeenCalledTimes(1)
    now = 2100
    key(esc) // a third press starts over
    expect(onPanic).toHaveBeenCalledTimes(1)
  })

  it('ignores other keys and auto-repeat', () => {
    const onPanic = vi.fn()
    const key = createPanicKey(onPanic, 1000, () => 0)
    key({ key: 'Escape', repeat: false })
    key({ key: 'Escape', repeat: true })
    key({ key: 'a', repeat: false })
    expect(onPanic).not.toHaveBeenCalled()
  })
})

describe('activity reports for the shell\'s auto-lock', () => {
  it('reports at once, then at most once a second however busy the page is', () => {
    let now = 0
    const report = vi.fn()
    const poke = createActivityReporter(report, 1000, () => now)
    poke()
    expect(report).toHaveBeenCalledTimes(1)
    for (now = 1; now < 1000; now += 16) poke() // a pointer moving for a second
    expect(report).toHaveBeenCalledTimes(1)
    now = 1000
    poke()
    expect(report).toHaveBeenCalledTimes(2)
    now = 60_000 // a quiet minute, then a key
    poke()
    expect(report).toHaveBeenCalledTimes(3)
  })
})

describe('strength meter', () => {
  it('refuses short passphrases and rewards length', () => {
    expect(strength('short')).toBe(0)
    expect(strength('abcdefghij')).toBe(1)
    expect(strength('river lantern copper')).toBe(3)
    expect(strength('aaaaaaaaaaaaaaaaaaaaaaa')).toBeLessThan(3)
    expect(strength('ទន្លេ ចង្កៀង ស្ពាន់')).toBeGreaterThan(0)
  })
})
