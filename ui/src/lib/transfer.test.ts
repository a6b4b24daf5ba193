import { describe, expect, it } from 'vitest'
import {
  baseName,
  bundleFileName,
  formatBytes,
  formatDuration,
  fraction,
  gapNotes,
  isAgeRecipient,
  isMinisignKey,
  joinPath,
  minisignKeyLine,
  secondsLeft,
  shortHash,
  splitPaths,
} from './transfer'

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
const KEY = 'RWQwXDuoVP8VD46x0pmeATSM5gNkIdoK7EMl461CutYWRxV8RWr1xdKV'

describe('sizes and time left', () => {
  it('formats bytes as file managers do', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1500)).toBe('1.5 KB')
    expect(formatBytes(12_345_678)).toBe('12 MB')
    expect(formatBytes(2_100_000_000)).toBe('2.1 GB')
    expect(formatBytes(-1)).toBe('?')
  })

  it('estimates time left from the rate so far, once there is enough to judge', () => {
    expect(secondsLeft(0, 100, 5000)).toBeNull()
    expect(secondsLeft(50, 100, 100)).toBeNull()
    expect(secondsLeft(25, 100, 1000)).toBe(3)
    expect(secondsLeft(100, 100, 1000)).toBe(0)
    expect(secondsLeft(10, 0, 1000)).toBeNull()
  })

  it('says durations plainly', () => {
    expect(formatDuration(0.2)).toEqual({ key: 'time.seconds', params: { n: 1 } })
    expect(formatDuration(45)).toEqual({ key: 'time.seconds', params: { n: 45 } })
    expect(formatDuration(61)).toEqual({ key: 'time.minutes', params: { n: 2 } })
    expect(formatDuration(3900)).toEqual({ key: 'time.hours', params: { h: 1, m: 5 } })
  })

  it('keeps the fraction between 0 and 1', () => {
    expect(fraction(5, 10)).toBe(0.5)
    expect(fraction(20, 10)).toBe(1)
    expect(fraction(1, 0)).toBe(0)
  })
})

describe('paths', () => {
  it('suggests a dated name that differs between two exports a day', () => {
    expect(bundleFileName(new Date(2026, 11, 1, 8, 5))).toBe('fieldcase-2026-12-01-0805.fcb')
    expect(bundleFileName(new Date(2026, 11, 1, 16, 40))).toBe('fieldcase-2026-12-01-1640.fcb')
  })

  it('joins with the folder’s separator', () => {
    expect(joinPath('/home/sw', 'b.fcb')).toBe('/home/sw/b.fcb')
    expect(joinPath('/home/sw/', 'b.fcb')).toBe('/home/sw/b.fcb')
    expect(joinPath('C:\\Users\\sw', 'b.fcb')).toBe('C:\\Users\\sw\\b.fcb')
    expect(baseName('/media/usb/team2.fcb')).toBe('team2.fcb')
    expect(baseName('C:\\x\\team2.fcb')).toBe('team2.fcb')
  })

  it('reads one path per line', () => {
    expect(splitPaths(' /a.fcb \n\n/b.fcb\r\n/a.fcb\n  ')).toEqual(['/a.fcb', '/b.fcb'])
    expect(splitPaths('')).toEqual([])
  })
})

describe('keys', () => {
  it('recognises an age recipient', () => {
    expect(isAgeRecipient(RECIPIENT)).toBe(true)
    expect(isAgeRecipient(` ${RECIPIENT}\n`)).toBe(true)
    expect(isAgeRecipient(RECIPIENT.slice(0, -1))).toBe(false)
    expect(isAgeRecipient(RECIPIENT.replace('age1', 'age2'))).toBe(false)
    expect(isAgeRecipient('AGE-SECRET-KEY-1QQQ')).toBe(false)
    expect(isAgeRecipient(KEY)).toBe(false)
  })

  it('recognises a minisign public key, alone or as its file', () => {
    expect(isMinisignKey(KEY)).toBe(true)
    const file = `untrusted comment: minisign public key: 0F15FF54A83B5C30\n${KEY}\n`
    expect(minisignKeyLine(file)).toBe(KEY)
    expect(isMinisignKey(file)).toBe(true)
    expect(isMinisignKey(KEY.slice(1))).toBe(false)
    expect(isMinisignKey(RECIPIENT)).toBe(false)
  })

  it('shortens a hash for reading aloud', () => {
    expect(shortHash('b286b05b0689ceff0123')).toBe('B286 B05B 0689 CEFF')
  })
})

describe('gaps', () => {
  it('names what is missing, out of order or mismatched, and nothing when all is well', () => {
    expect(gapNotes({ missing: [], out_of_order: false, previous_mismatch: false })).toEqual([])
    expect(gapNotes({ missing: [2, 3], out_of_order: true, previous_mismatch: true })).toEqual([
      { key: 'import.missing', params: { list: '2, 3' } },
      { key: 'import.outOfOrder', params: {} },
      { key: 'import.previousMismatch', params: {} },
    ])
  })
})
