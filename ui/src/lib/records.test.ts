import { describe, expect, it } from 'vitest'
import {
  bareLabel,
  entryKind,
  fieldLabel,
  fieldOf,
  isEmpty,
  localLabel,
  newestFirst,
  plain,
  rows,
  shorten,
  type HistoryEntry,
} from './records'
import { tables, translate, type Key, type Params } from './i18n'

const yesNo: [string, string] = ['yes', 'no']
const en = (k: string) => (tables.en as Record<string, string>)[`field.${k}`] ?? null

function entry(over: Partial<HistoryEntry>): HistoryEntry {
  return {
    revision: 'r',
    device_id: 'd',
    device_name: 'Team 2 laptop',
    author: 'SW-02',
    created_at: '2026-12-01T08:00:00Z',
    deleted: false,
    parents: ['p'],
    purged: false,
    changes: [],
    identity_changed: false,
    ...over,
  }
}

describe('showing a record plainly', () => {
  it('labels fields by their translated name, the rest of the pointer in words', () => {
    expect(fieldLabel('/interviewer_notes', en)).toBe('Interviewer’s notes')
    expect(fieldLabel('/consent/sharing_with_police/given', en)).toBe('Consent › sharing with police › given')
    expect(fieldLabel('/people_present/0/name_or_code', en)).toBe('People present › 1 › name or code')
    expect(fieldLabel('/a~1b', () => null)).toBe('a/b')
  })

  it('writes values as plain text', () => {
    expect(plain(true, yesNo, '-')).toBe('yes')
    expect(plain('', yesNo, '-')).toBe('-')
    expect(plain('retention_of_identity_documents', yesNo, '-')).toBe('retention of identity documents')
    expect(plain('ខ្ញុំ_នៅ', yesNo, '-')).toBe('ខ្ញុំ_នៅ')
    expect(plain(['deception', 'debt_bondage'], yesNo, '-')).toBe('deception; debt bondage')
    expect(plain({ given: true, explained_by: 'SW-02', at: null }, yesNo, '-')).toBe('given: yes, explained by: SW-02')
  })

  it('keeps the two voices of an interview apart and skips empty fields', () => {
    const body = { narrative: 'ខ្ញុំ', interviewer_notes: 'calm', person_id: 'x', place: 'shelter', breaks: [], stop_note: '' }
    expect(rows(body).map(([k]) => k)).toEqual(['/place'])
    const consent = { consent: { interview: { given: true }, recording: { given: false, at: null } } }
    expect(rows(consent).map(([k]) => k)).toEqual(['/consent/interview', '/consent/recording'])
    expect(rows(null)).toEqual([])
    expect(isEmpty({ a: '', b: [] })).toBe(true)
  })

  it('drops the core’s kind name from labels shown beside the kind', () => {
    expect(bareLabel('interview', 'Interview · 2026-12-01 · office')).toBe('2026-12-01 · office')
    expect(bareLabel('person', 'Sreymom-07')).toBe('Sreymom-07')
    expect(bareLabel('person', 'Person · ')).toBe('Person · ')
  })

  it('translates codes where their field has a table', () => {
    const km = (k: string) => (tables.km as Record<string, string>)[k] ?? null
    expect(plain(['deception'], yesNo, '-', 'ilo_indicators', km)).toBe(tables.km['ilo.deception'])
    expect(plain([{ role: 'guardian', name_or_code: 'M' }], yesNo, '-', 'people_present', km)).toBe(
      `${tables.km['field.role']}: ${tables.km['role.guardian']}, ${tables.km['field.name_or_code']}: M`,
    )
    expect(plain('survivor', yesNo, '-', 'role', km)).toBe('survivor')
    expect(fieldOf('/people_present/1/role')).toBe('role')
    expect(fieldOf('/ilo_indicators')).toBe('ilo_indicators')
  })

  it('shows times as local date and time', () => {
    expect(plain('2026-12-01T08:44:02.610Z', yesNo, '-')).not.toContain('T08')
    expect(plain('2026-12-01', yesNo, '-')).toBe('2026-12-01')
  })

  it('cuts long Khmer text on whole characters', () => {
    const text = 'ក'.repeat(200)
    const cut = shorten(text, 10)
    expect([...cut].length).toBe(10)
    expect(cut.endsWith('…')).toBe(true)
    expect(shorten('short')).toBe('short')
  })
})

describe('history entries', () => {
  it('say what each revision did', () => {
    expect(entryKind(entry({ parents: [] })).key).toBe('rec.createdEntry')
    expect(entryKind(entry({ deleted: true })).key).toBe('rec.deletedEntry')
    expect(entryKind(entry({ parents: ['a', 'b'] }))).toEqual({ key: 'rec.resolvedEntry', n: 2 })
    expect(entryKind(entry({})).key).toBe('rec.noChange')
    expect(entryKind(entry({ identity_changed: true })).key).toBe('rec.history')
    expect(entryKind(entry({ purged: true })).key).toBe('rec.purgedEntry')
  })

  it('are shown newest first without changing the core’s list', () => {
    const list = [entry({ revision: '1' }), entry({ revision: '2' })]
    expect(newestFirst(list).map((e) => e.revision)).toEqual(['2', '1'])
    expect(list[0].revision).toBe('1')
  })
})

describe("the core's labels in the screen's language", () => {
  const km = (key: Key, params?: Params) => translate('km', key, params)
  const en = (key: Key, params?: Params) => translate('en', key, params)

  it('puts the kind and code words of interviews, visits and referrals in Khmer', () => {
    expect(localLabel('interview', 'Interview · 2026-03-20 · police station', km)).toBe(
      'បទសម្ភាសន៍ · 2026-03-20 · ប៉ុស្តិ៍ប៉ូលិស',
    )
    expect(localLabel('visit', 'Visit · 2026-03-21 · prevalence count', km, true)).toBe(
      '2026-03-21 · ការរាប់ចំនួនដើម្បីសិក្សាអត្រា',
    )
    expect(localLabel('referral', 'Legal aid', km)).toBe('ជំនួយផ្លូវច្បាប់')
  })

  it('keeps names, unknown codes and anything else as the core wrote them', () => {
    expect(localLabel('person', 'ស្រីពៅ-07', km)).toBe('ស្រីពៅ-07')
    expect(localLabel('establishment', 'Golden Star KTV', km, true)).toBe('Golden Star KTV')
    expect(localLabel('interview', 'Interview · 2026-03-20 · boat', km)).toBe('បទសម្ភាសន៍ · 2026-03-20 · boat')
    expect(localLabel('visit', 'Interview · 2026-03-20 · shelter', km)).toBe('Interview · 2026-03-20 · shelter')
    expect(localLabel('referral', 'Something new', en)).toBe('Something new')
  })

  it('reads the same in English, with the code words written out', () => {
    expect(localLabel('interview', 'Interview · 2026-03-20 · shelter', en)).toBe('Interview · 2026-03-20 · Shelter')
    expect(localLabel('interview', 'Interview · 2026-03-20 · shelter', en, true)).toBe('2026-03-20 · Shelter')
  })
})

describe("a record's code values in the screen's language", () => {
  const lookupIn = (lang: 'en' | 'km') => (key: string) => {
    const text = translate(lang, key as Key)
    return text === key ? null : text
  }
  const yn: [string, string] = ['yes', 'no']

  it('translates the interview codes a record page shows', () => {
    const km = lookupIn('km')
    expect(plain('police_station', yn, '-', 'place', km, 'interview')).toBe('ប៉ុស្តិ៍ប៉ូលិស')
    expect(plain('survivor_asked_to_stop', yn, '-', 'stop_reason', km)).toBe('ជនរងគ្រោះស្នើសុំឱ្យឈប់')
    expect(plain(['debt_bondage', 'withholds_documents'], yn, '-', 'methods_of_control', km)).toBe(
      'ការជាប់បំណុល; រក្សាទុកឯកសារ',
    )
    expect(plain({ name_or_code: 'SW-02', role: 'interviewer' }, yn, '-', 'present', km)).toBe(
      'ឈ្មោះ ឬលេខកូដ: SW-02, តួនាទី: អ្នកសម្ភាសន៍',
    )
  })

  it('tells apart fields two kinds share, and keeps codes no table has as words', () => {
    const en = lookupIn('en')
    expect(plain('closed', yn, '-', 'status', en, 'establishment')).toBe('Closed for good')
    expect(plain('closed', yn, '-', 'status', en, 'case')).toBe('Closed')
    expect(plain({ role: 'owner' }, yn, '-', 'people', en)).toBe('Role: Owner')
    expect(plain('brand_new_code', yn, '-', 'stop_reason', en)).toBe('brand new code')
  })
})
