import { describe, expect, it } from 'vitest'
import { conflictFieldName } from './conflict-fields'
import { tables } from './i18n'

const lookupIn = (lang: 'en' | 'km') => (key: string) => (tables[lang] as Record<string, string>)[key] ?? null
const en = lookupIn('en')

describe('conflictFieldName', () => {
  it('names an establishment’s fields as its form does, nested ones included', () => {
    expect(conflictFieldName('establishment', '/name', en)).toEqual({ label: 'Name', known: true })
    expect(conflictFieldName('establishment', '/location/city', en).label).toBe('City or town')
    expect(conflictFieldName('establishment', '/notes', en).label).toBe('Notes')
    expect(conflictFieldName('establishment', '/location/coordinates/lat', en).label).toBe('Where it is › coordinates › lat')
  })

  it('names a field by its kind: a visit’s narrative is what happened, an interview’s is the person’s words', () => {
    expect(conflictFieldName('visit', '/narrative', en).label).toBe('What happened')
    expect(conflictFieldName('interview', '/narrative', en).label).toBe('The person’s own words')
    expect(conflictFieldName('visit', '/sampling/stratum', en).label).toBe('Sampling stratum')
    expect(conflictFieldName('visit', '/follow_up/1/due', en).label).toBe('Follow-up actions › 2 › due')
  })

  it('counts list positions from 1 and writes the rest in words', () => {
    expect(conflictFieldName('interview', '/people_present/0/name_or_code', en).label).toBe(
      'People present › 1 › name or code',
    )
    expect(conflictFieldName('interview', '/consent/sharing_with_police/given', en).label).toBe(
      'Consent › sharing with police › given',
    )
  })

  it('falls back to the path for a field with no label', () => {
    expect(conflictFieldName('case', '/mystery/field', en)).toEqual({ label: '/mystery/field', known: false })
    expect(conflictFieldName('visit', '/0', en)).toEqual({ label: '/0', known: false })
    expect(conflictFieldName('person', '', en)).toEqual({ label: '', known: false })
    expect(conflictFieldName('establishment', '/a~1b', () => null)).toEqual({ label: '/a~1b', known: false })
  })

  it('speaks Khmer from the Khmer table', () => {
    expect(conflictFieldName('establishment', '/name', lookupIn('km')).label).toBe(tables.km['est.name'])
    expect(conflictFieldName('establishment', '/name', lookupIn('km')).label).toMatch(/[\u1780-\u17FF]/)
  })
})
