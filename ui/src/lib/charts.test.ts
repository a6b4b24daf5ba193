import { describe, expect, it } from 'vitest'
import { bars, linear, niceMax, percent, percentNumber, shareMax, trend, TREND_BOX } from './charts'

describe('linear', () => {
  it('maps the domain onto the range, flipped for SVG y', () => {
    const y = linear([0, 1], [164, 12])
    expect(y(0)).toBe(164)
    expect(y(1)).toBe(12)
    expect(y(0.5)).toBe(88)
  })

  it('maps a zero-width domain to the range start, never NaN', () => {
    expect(linear([0, 0], [10, 20])(5)).toBe(10)
  })
})

describe('trend', () => {
  // TREND_BOX: 520 × 200, margins top 12, right 16, bottom 36, left 48.
  it('draws the line and the band for known points (shares 0 and 1 at the bottom and top)', () => {
    const t = trend([
      { share: 0, low: 0, high: 0.5 },
      { share: 1, low: 0.5, high: 1 },
    ])
    expect(t.max).toBe(1)
    expect(t.points.map((p) => [p.x, p.y])).toEqual([
      [162, 164],
      [390, 12],
    ])
    expect(t.line).toBe('M162,164 L390,12')
    expect(t.band).toBe('M162,88 L390,12 L390,88 L162,164 Z')
  })

  it('draws no path for an empty series, or one with no share in any period', () => {
    for (const series of [[], [null, null]]) {
      const t = trend(series)
      expect(t.points).toEqual([])
      expect(t.line).toBe('')
      expect(t.band).toBe('')
      expect(t.line + t.band).not.toContain('NaN')
    }
  })

  it('breaks the line and the band at a period with no interval', () => {
    const s = { share: 0.1, low: 0.05, high: 0.2 }
    const t = trend([s, s, null, s])
    expect(t.points.map((p) => p.index)).toEqual([0, 1, 3])
    expect(t.line.match(/M/g)).toHaveLength(2)
    expect(t.band.match(/Z/g)).toHaveLength(2)
    // The lone last period still gets a visible band, 6 px wide.
    const lone = t.band.split('Z')[1]
    const xs = [...lone.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]))
    expect(Math.max(...xs) - Math.min(...xs)).toBe(6)
    expect(t.points.every((p) => p.y <= TREND_BOX.height - TREND_BOX.bottom && p.y >= TREND_BOX.top)).toBe(true)
  })

  it('shifts a second series sideways by dx', () => {
    const s = [{ share: 0.2, low: 0.1, high: 0.3 }]
    expect(trend(s, TREND_BOX, 1, 4).points[0].x - trend(s, TREND_BOX, 1, -4).points[0].x).toBe(8)
  })

  it('scales small shares to a tenth above the highest bound', () => {
    expect(shareMax([{ share: 0.07, low: 0.03, high: 0.16 }, null])).toBe(0.2)
    expect(shareMax([{ share: 0.2, low: 0.1, high: 0.3 }])).toBe(0.3)
    expect(shareMax([])).toBe(0.1)
    expect(shareMax([{ share: 1, low: 0.9, high: 1 }])).toBe(1)
  })
})

describe('bars', () => {
  it('draws one bar per non-zero value, none for zeros or withheld cells', () => {
    const b = bars([
      [4, 2],
      [0, null],
      [10, 5],
    ])
    expect(b.max).toBe(10)
    expect(b.bars.map((x) => [x.index, x.series, x.value])).toEqual([
      [0, 0, 4],
      [0, 1, 2],
      [2, 0, 10],
      [2, 1, 5],
    ])
    const tallest = b.bars.find((x) => x.value === 10)
    expect(tallest?.y).toBe(12)
    expect(b.bars.every((x) => x.height > 0 && x.width > 0)).toBe(true)
  })

  it('has an axis even with nothing to draw', () => {
    const b = bars([])
    expect(b.bars).toEqual([])
    expect(b.max).toBe(1)
  })

  it('rounds the axis top to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 11, 40, 180].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 200])
  })
})

describe('percent', () => {
  it('shows one decimal', () => {
    expect(percent(0.075)).toBe('7.5 %')
    expect(percent(0)).toBe('0.0 %')
    expect(percent(1)).toBe('100.0 %')
    expect(percentNumber(0.14920634)).toBe('14.9')
  })
})
