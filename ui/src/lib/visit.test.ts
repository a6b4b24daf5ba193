import { describe, expect, it } from 'vitest'
import {
  countsOf,
  emptyGrid,
  fieldError,
  formOf,
  gridOf,
  names,
  parseCount,
  teamOf,
  toUtc,
  totals,
  visitBody,
  type VisitForm,
} from './visit'

function form(over: Partial<VisitForm> = {}): VisitForm {
  return {
    establishmentId: '0190f0e0-0000-7000-8000-000000000001',
    date: '2026-03-14',
    start: '20:05',
    end: '',
    purpose: 'prevalence_count',
    team: 'INV-07, INV-12',
    grid: emptyGrid(),
    ageJudgedBy: [],
    ageConfidence: '',
    stratum: 'PNH/karaoke/evening',
    replacedClosed: false,
    replacedId: '',
    indicators: [],
    narrative: '',
    followUps: [],
    ...over,
  }
}

describe('counts', () => {
  it('reads whole numbers, empty as 0, Khmer digits too', () => {
    expect(parseCount('')).toBe(0)
    expect(parseCount(' 7 ')).toBe(7)
    expect(parseCount('០')).toBe(0)
    expect(parseCount('១២')).toBe(12)
    for (const bad of ['-1', '2.5', 'x', '1e3', '100001']) expect(parseCount(bad), bad).toBeNull()
  })

  it('totals rows, columns and everyone as one types, leaving out what is not a count', () => {
    const g = emptyGrid()
    expect(totals(g).grand).toBe(0)
    g.under_16.female = '2'
    g.age_16_17.female = '3'
    g.adult.female = '10'
    g.adult.male = '4'
    g.unknown.other = '1'
    let s = totals(g)
    expect(s.rows).toEqual({ under_16: 2, age_16_17: 3, adult: 14, unknown: 1 })
    expect(s.cols).toEqual({ female: 15, male: 4, other: 1, unknown: 0 })
    expect(s.grand).toBe(20)
    expect(s.invalid).toEqual([])
    g.adult.male = '4x'
    s = totals(g)
    expect(s.grand).toBe(16)
    expect(s.rows.adult).toBe(10)
    expect(s.invalid).toEqual([{ band: 'adult', sex: 'male' }])
  })

  it('sends one count per cell above zero, and a bad cell as typed so the core names it', () => {
    const g = emptyGrid()
    g.adult.female = '10'
    g.adult.male = '0'
    g.under_16.female = 'two'
    expect(countsOf(g)).toEqual([
      { age_band: 'under_16', sex: 'female', count: 'two' },
      { age_band: 'adult', sex: 'female', count: 10 },
    ])
  })

  it('reads counts back into the grid', () => {
    const g = gridOf([
      { age_band: 'adult', sex: 'female', count: 10 },
      { age_band: 'nonsense', sex: 'female', count: 1 },
    ])
    expect(g.adult.female).toBe('10')
    expect(totals(g).grand).toBe(10)
    expect(gridOf(undefined)).toEqual(emptyGrid())
  })
})

describe('the visit body', () => {
  it('leaves out empty optional fields and keeps a prevalence count’s sampling', () => {
    const b = visitBody(form())
    expect(b).toEqual({
      establishment_id: '0190f0e0-0000-7000-8000-000000000001',
      started_at: toUtc('2026-03-14', '20:05'),
      team: ['INV-07', 'INV-12'],
      purpose: 'prevalence_count',
      sampling: { stratum: 'PNH/karaoke/evening' },
    })
    expect(b.started_at).toMatch(/^2026-03-1[45]T\d\d:05:00Z$/)
    expect(visitBody(form({ purpose: 'monitoring', stratum: '' }))).not.toHaveProperty('sampling')
  })

  it('carries counts, judgements, indicators in the model’s order, narrative and follow-ups', () => {
    const g = emptyGrid()
    g.age_16_17.female = '1'
    const b = visitBody(
      form({
        end: '21:30',
        grid: g,
        ageJudgedBy: ['appearance', 'stated'],
        ageConfidence: 'medium',
        replacedClosed: true,
        indicators: ['talk_of_debt', 'guards'],
        narrative: 'មានអ្នកយាមនៅជណ្ដើរក្រោយ',
        followUps: [
          { action: ' Tell the police ', due: '2026-03-20', done: false },
          { action: '', due: '', done: false },
        ],
      }),
    )
    expect(b.ended_at).toMatch(/T\d\d:30:00Z$/)
    expect(b.counts).toEqual([{ age_band: 'age_16_17', sex: 'female', count: 1 }])
    expect(b.age_judged_by).toEqual(['stated', 'appearance'])
    expect(b.age_confidence).toBe('medium')
    expect(b.sampling).toEqual({ stratum: 'PNH/karaoke/evening', replaced_closed_establishment: true })
    expect(b.indicators).toEqual(['guards', 'talk_of_debt'])
    expect(b.follow_up).toEqual([{ action: 'Tell the police', due: '2026-03-20' }])
  })

  it('names the replaced establishment only when the visited one replaced a closed one', () => {
    const other = '0190f0e0-0000-7000-8000-000000000002'
    expect(visitBody(form({ replacedId: other })).sampling).toEqual({ stratum: 'PNH/karaoke/evening' })
    const b = visitBody(form({ replacedClosed: true, replacedId: other }))
    expect(b.sampling).toEqual({
      stratum: 'PNH/karaoke/evening',
      replaced_closed_establishment: true,
      replaced_establishment_id: other,
    })
    expect(formOf(b, form()).replacedId).toBe(other)
  })

  it('sends a date it cannot read as typed, for the core to name', () => {
    expect(toUtc('14/03/2026', '20:05')).toBe('14/03/2026T20:05')
    expect(toUtc('2026-02-30', '20:05')).toBe('2026-02-30T20:05')
    expect(toUtc('2026-03-14', '25:00')).toBe('2026-03-14T25:00')
  })

  it('splits the team on commas and new lines', () => {
    expect(teamOf(' INV-07 ,, Dara\nSokha ')).toEqual(['INV-07', 'Dara', 'Sokha'])
  })

  it('round-trips through a draft', () => {
    const g = emptyGrid()
    g.adult.female = '10'
    const f = form({
      end: '21:30',
      grid: g,
      ageJudgedBy: ['appearance'],
      replacedClosed: true,
      replacedId: '0190f0e0-0000-7000-8000-000000000002',
      indicators: ['guards'],
      narrative: 'x',
      followUps: [{ action: 'Return in a week', due: '', done: true }],
    })
    const back = formOf(JSON.parse(JSON.stringify(visitBody(f))), form({ team: '', stratum: '' }))
    expect(back).toEqual(f)
  })
})

describe('which field an error names', () => {
  it('reads the core’s field path', () => {
    expect(fieldError('invalid input: visit.team: needs at least one team member')).toEqual({
      field: 'visit.team',
      rule: 'needs at least one team member',
    })
    expect(fieldError('invalid input: visit.counts[4]: adult female is counted twice')?.field).toBe(
      'visit.counts[4]',
    )
    expect(fieldError('invalid input: visit.follow_up[0].action: must not be empty')?.field).toBe(
      'visit.follow_up[0].action',
    )
    expect(fieldError('invalid input: establishment.location: needs at least a province')?.field).toBe(
      'establishment.location',
    )
    expect(fieldError('the profile is locked')).toBeNull()
  })

  it('matches a field and what is inside it, not its namesakes', () => {
    expect(names('visit.sampling.stratum', 'visit.sampling')).toBe(true)
    expect(names('visit.counts[2].count', 'visit.counts')).toBe(true)
    expect(names('visit.team', 'visit.team')).toBe(true)
    expect(names('visit.teams', 'visit.team')).toBe(false)
    expect(names(undefined, 'visit.team')).toBe(false)
  })
})
