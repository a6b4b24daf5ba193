import { describe, expect, it } from 'vitest'
import type { PrevalenceRow } from './backend-reports'
import { byPlace, cell, dayOrNull, isDayOrBlank } from './reports'

function row(place: string, period: string, share: number | null): PrevalenceRow {
  return {
    place,
    period,
    visits: share === null ? 0 : 1,
    establishments_visited: share === null ? 0 : 1,
    people_observed: share === null ? 0 : 20,
    under_16: 0,
    age_16_17: 0,
    adult: 0,
    age_unknown: 0,
    age_judged: 0,
    share_under_16: share === null ? null : { share, low: 0, high: 1 },
    share_16_17: null,
    suppressed: [],
  }
}

describe('isDayOrBlank', () => {
  it('takes blank and real days only', () => {
    expect(['', '  ', '2026-01-31', '2024-02-29'].every(isDayOrBlank)).toBe(true)
    expect(['2026-02-29', '2026-13-01', '31/01/2026', '2026-1-1', 'soon'].some(isDayOrBlank)).toBe(false)
  })

  it('sends blank as null', () => {
    expect(dayOrNull(' ')).toBeNull()
    expect(dayOrNull(' 2026-03-01 ')).toBe('2026-03-01')
  })
})

describe('byPlace', () => {
  it('keeps places and periods in the report order, empty periods as null shares', () => {
    const places = byPlace([
      row('Phnom Penh', '2026-Q1', 0.1),
      row('Phnom Penh', '2026-Q2', null),
      row('សៀមរាប', '2026-Q1', null),
      row('សៀមរាប', '2026-Q2', 0.5),
    ])
    expect(places.map((p) => p.place)).toEqual(['Phnom Penh', 'សៀមរាប'])
    expect(places[0].rows.map((r) => r.period)).toEqual(['2026-Q1', '2026-Q2'])
    expect(places[0].under16.map((s) => s?.share ?? null)).toEqual([0.1, null])
    expect(places[1].age16to17).toEqual([null, null])
  })

  it('has no places for no rows', () => {
    expect(byPlace([])).toEqual([])
  })
})

describe('cell', () => {
  it('shows zeros and marks withheld counts', () => {
    expect(cell(0, '–')).toBe('0')
    expect(cell(null, 'withheld')).toBe('withheld')
  })
})
