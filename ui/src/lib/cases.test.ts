import { describe, expect, it } from 'vitest'
import { caseBody, fieldsOf, isLinkKind, summaryFileName, withLink, withoutLink, type LinkedRecord } from './cases'

const person: LinkedRecord = { id: 'p1', kind: 'person', label: 'ផ្កាឈូក', state: null }
const visit: LinkedRecord = { id: 'v1', kind: 'visit', label: '2026-11-02 · Golden Karaoke', state: null }
const missing: LinkedRecord = { id: 'i9', kind: 'interview', label: null, state: 'missing' }

describe('the case form', () => {
  it('reads a body into fields, with defaults for a new case', () => {
    expect(fieldsOf({}, '2026-12-01')).toEqual({
      code: '',
      title: '',
      status: 'intake',
      opened_on: '2026-12-01',
      notes: '',
      arrests: [],
      convictions: [],
    })
    const f = fieldsOf(
      { code: 'PP-2026-0142', status: 'verdict', opened_on: '2026-03-01', arrests: [{ date: '2026-04-02', count: 2 }] },
      '2026-12-01',
    )
    expect(f.status).toBe('verdict')
    expect(f.opened_on).toBe('2026-03-01')
    expect(f.arrests).toEqual([{ date: '2026-04-02', count: '2', note: '' }])
  })

  it('links a record once, and unlinks it', () => {
    const once = withLink([person], person)
    expect(once).toHaveLength(1)
    const two = withLink(once, visit)
    expect(two.map((l) => l.id)).toEqual(['p1', 'v1'])
    expect(withoutLink(two, 'person', 'p1').map((l) => l.id)).toEqual(['v1'])
    // Only that kind's link goes.
    expect(withoutLink(two, 'interview', 'p1').map((l) => l.id)).toEqual(['p1', 'v1'])
  })

  it('builds the body: keeps unshown fields, lists ids by kind, leaves empty ones out', () => {
    const base = { code: 'OLD', establishment_ids: ['e-old'], person_ids: ['p-old'], extra_kept: 1, title: 'was' }
    const f = fieldsOf(base, '2026-12-01')
    f.code = ' PP-2026-0142 '
    f.title = '  '
    f.notes = 'ករណីនៅខេត្តសៀមរាប'
    f.arrests = [{ date: '2026-04-02', count: '២', note: '' }]
    f.convictions = [{ date: '2026-09-10', count: 'two', note: 'Court of Siem Reap' }]
    const body = caseBody(base, f, [person, visit, missing])
    expect(body).toEqual({
      code: 'PP-2026-0142',
      status: 'intake',
      opened_on: '2026-12-01',
      notes: 'ករណីនៅខេត្តសៀមរាប',
      person_ids: ['p1'],
      interview_ids: ['i9'],
      visit_ids: ['v1'],
      extra_kept: 1,
      arrests: [{ date: '2026-04-02', count: 2 }],
      // Not a whole number: sent as typed so the core's message names the field.
      convictions: [{ date: '2026-09-10', count: 'two', note: 'Court of Siem Reap' }],
    })
    expect(body).not.toHaveProperty('title')
    expect(body).not.toHaveProperty('establishment_ids')
  })

  it('knows which kinds a case links', () => {
    expect(isLinkKind('person')).toBe(true)
    expect(isLinkKind('case')).toBe(false)
    expect(isLinkKind('referral')).toBe(false)
  })
})

describe('the case summary file name', () => {
  it('keeps the code readable and never makes a path of it', () => {
    expect(summaryFileName('PP-2026-0142')).toBe('fieldcase-case-PP-2026-0142.pdf')
    expect(summaryFileName('../../etc')).toBe('fieldcase-case-etc.pdf')
    expect(summaryFileName('សៀមរាប/០៣')).toBe('fieldcase-case-សៀមរាប-០៣.pdf')
  })
})
