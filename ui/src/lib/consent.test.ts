import { describe, expect, it } from 'vitest'
import { consentStates, todayText, withdrawalInstant } from './consent'

describe('consentStates', () => {
  it('reads each part, its withdrawal, and parts never mentioned as not given', () => {
    const states = consentStates({
      consent: {
        interview: { given: true },
        recording: { given: true, withdrawn: { at: '2026-11-30T05:00:00Z', recorded_by: 'SW-04 សុខា' } },
      },
    })
    expect(states.map((s) => [s.part, s.given, s.withdrawnAt, s.withdrawnBy])).toEqual([
      ['interview', true, null, null],
      ['recording', true, '2026-11-30T05:00:00Z', 'SW-04 សុខា'],
      ['sharing_with_police', false, null, null],
      ['sharing_with_prosecutors', false, null, null],
    ])
    expect(consentStates(null).every((s) => !s.given)).toBe(true)
  })
})

describe('withdrawalInstant', () => {
  const now = new Date(2026, 11, 1, 9, 30, 0)
  it('is now for today and noon for an earlier day', () => {
    expect(withdrawalInstant(todayText(now), now)).toBe(now.toISOString())
    expect(withdrawalInstant('2026-11-28', now)).toBe(new Date(2026, 10, 28, 12).toISOString())
  })
  it('refuses the future, impossible dates and other shapes', () => {
    expect(withdrawalInstant('2026-12-02', now)).toBeNull()
    expect(withdrawalInstant('2026-02-30', now)).toBeNull()
    expect(withdrawalInstant('30/11/2026', now)).toBeNull()
  })
})
