import { describe, expect, it } from 'vitest'
import { AUTO_LOCK_MINUTES, readAutoLock } from './config'

const stored = (value: string | null) => ({ getItem: () => value })

describe('readAutoLock', () => {
  it('takes a remembered choice and falls back to the default for anything else', () => {
    expect(readAutoLock(stored('15'))).toBe(15)
    expect(readAutoLock(stored(null))).toBe(AUTO_LOCK_MINUTES)
    expect(readAutoLock(stored('7'))).toBe(AUTO_LOCK_MINUTES)
    expect(readAutoLock(stored('0'))).toBe(AUTO_LOCK_MINUTES)
    expect(readAutoLock(undefined)).toBe(AUTO_LOCK_MINUTES)
  })
})
