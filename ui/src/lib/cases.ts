// The Cases screen: typed wrappers for src-tauri/src/cases.rs, and the pure
// logic of the case form (which list a linked record goes in, the body the core
// receives), tested in cases.test.ts. Nothing here is stored anywhere.

import { call, type RecordKind } from './backend'
import type { ListPage } from './records'
import { fileNamePart } from './transfer'
import { parseCount } from './visit'

/** The kinds a case links, in the order the form shows them. */
export const LINK_KINDS = ['person', 'interview', 'visit', 'establishment'] as const
export type LinkKind = (typeof LINK_KINDS)[number]

/** Where a case stands, from intake to closure (core `CaseStatus`). */
export const CASE_STATUSES = [
  'intake',
  'investigation',
  'referred_to_police',
  'prosecution',
  'verdict',
  'closed',
] as const

/** The body list that holds linked records of a kind. */
export function linkList(kind: LinkKind): string {
  return `${kind}_ids`
}

export function isLinkKind(kind: RecordKind | string): kind is LinkKind {
  return (LINK_KINDS as readonly string[]).includes(kind)
}

/** A case as the list shows it. */
export interface CaseRow {
  id: string
  code: string
  title: string | null
  status: string | null
  updated_at: string
  conflict: boolean
}

export interface CasePage {
  records: CaseRow[]
  next: string | null
}

/** A record the case links: `label` is null and `state` 'missing' when this profile does not hold it. */
export interface LinkedRecord {
  id: string
  kind: LinkKind
  label: string | null
  state: 'missing' | 'deleted' | null
}

export interface CaseForm {
  id: string
  body: Record<string, unknown>
  links: LinkedRecord[]
  conflict: boolean
}

/** Arrests or convictions on one date; `count` as typed, Khmer digits too (the core checks it is at least 1). */
export interface OutcomeRow {
  date: string
  count: string
  note: string
}

/** What the form edits; everything else in the body is kept as it was. */
export interface CaseFields {
  code: string
  title: string
  status: string
  opened_on: string
  notes: string
  arrests: OutcomeRow[]
  convictions: OutcomeRow[]
}

export function listCases(after: string | null, limit: number): Promise<CasePage> {
  return call<CasePage>('list_cases', { after, limit })
}

export function loadCase(id: string): Promise<CaseForm> {
  return call<CaseForm>('load_case', { id })
}

/** Adds (`id` null) or edits a case; returns its id. */
export function saveCase(id: string | null, body: Record<string, unknown>): Promise<string> {
  return call<string>('save_case', { id, body })
}

/** Records of one kind, most recently changed first: what to link when nothing is typed. */
export function listRecords(kind: LinkKind, after: string | null, limit: number): Promise<ListPage> {
  return call<ListPage>('list_records', { kind, after, limit })
}

/** The form's fields from a loaded body (`today` for a new case's opening date). */
export function fieldsOf(body: Record<string, unknown>, today: string): CaseFields {
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  const outcomes = (v: unknown): OutcomeRow[] =>
    Array.isArray(v)
      ? v.map((o) => {
          const r = (o ?? {}) as Record<string, unknown>
          return { date: text(r.date), count: typeof r.count === 'number' ? String(r.count) : text(r.count), note: text(r.note) }
        })
      : []
  return {
    code: text(body.code),
    title: text(body.title),
    status: text(body.status) || 'intake',
    opened_on: text(body.opened_on) || today,
    notes: text(body.notes),
    arrests: outcomes(body.arrests),
    convictions: outcomes(body.convictions),
  }
}

/** Adds a record to the links unless it is there already; returns the new list. */
export function withLink(links: LinkedRecord[], link: LinkedRecord): LinkedRecord[] {
  return links.some((l) => l.id === link.id) ? links : [...links, link]
}

/** Takes one link away (the same id linked as another kind stays). */
export function withoutLink(links: LinkedRecord[], kind: LinkKind, id: string): LinkedRecord[] {
  return links.filter((l) => !(l.id === id && l.kind === kind))
}

/**
 * The body the core receives: the loaded body (fields this form does not show are kept),
 * the form's fields, and each kind's linked ids in the order shown. Empty optional fields
 * are left out; a count that is not a whole number goes as typed so the core names the field.
 */
export function caseBody(base: Record<string, unknown>, f: CaseFields, links: LinkedRecord[]): Record<string, unknown> {
  const b: Record<string, unknown> = { ...base, code: f.code.trim(), status: f.status, opened_on: f.opened_on }
  const optional = (key: string, value: string) => {
    if (value.trim()) b[key] = value
    else delete b[key]
  }
  optional('title', f.title.trim())
  optional('notes', f.notes)
  for (const kind of LINK_KINDS) {
    const ids = links.filter((l) => l.kind === kind).map((l) => l.id)
    if (ids.length > 0) b[linkList(kind)] = ids
    else delete b[linkList(kind)]
  }
  for (const key of ['arrests', 'convictions'] as const) {
    const rows = f[key].map((o) => {
      // Khmer digits count too; anything else goes as typed, and the core names the field.
      const n = o.count.trim() === '' ? null : parseCount(o.count)
      const row: Record<string, unknown> = { date: o.date, count: n ?? o.count }
      if (o.note.trim()) row.note = o.note
      return row
    })
    if (rows.length > 0) b[key] = rows
    else delete b[key]
  }
  return b
}

/** A linked record in a case's timeline, as the core names it (never identity). */
export interface CaseEntry {
  kind: LinkKind
  id: string
  /** 'present', or why the record is not shown: not on this device, deleted, purged, another kind. */
  state: 'present' | 'missing' | 'deleted' | 'purged' | 'wrong_kind'
  date: string | null
  /** HH:MM (UTC), for interviews and visits. */
  time: string | null
  /** Whether `date` is when it started (interviews, visits) or when it was recorded. */
  dated_by: 'started' | 'recorded' | null
  title: string
  in_conflict: boolean
  /** Consent parts withdrawn (interviews). */
  consent_withdrawn: string[]
}

/** A case as its page shows it: what it is, and everything it links in time order. */
export interface CaseView {
  id: string
  code: string
  title: string
  status: string
  opened_on: string
  arrests: { date: string; count: number; note?: string }[]
  convictions: { date: string; count: number; note?: string }[]
  total_arrested: number
  total_convicted: number
  notes: string
  in_conflict: boolean
  updated_at: string
  entries: CaseEntry[]
}

/** A case that links a record (for the record's page). */
export interface CaseRef {
  id: string
  code: string
  title: string
  status: string
  /** The case's list that names the record (`case.person_ids[0]`). */
  field: string
}

export interface SummaryWritten {
  path: string
  bytes: number
  include_identities: boolean
}

export function caseView(id: string): Promise<CaseView> {
  return call<CaseView>('case_view', { id })
}

export function recordCases(id: string): Promise<CaseRef[]> {
  return call<CaseRef[]>('record_cases', { id })
}

/** Writes the case's printable summary (PDF) to `path` (which must not exist); logged by the core. */
export function writeCaseSummary(
  id: string,
  path: string,
  includeIdentities: boolean,
  language: 'en' | 'km',
): Promise<SummaryWritten> {
  return call<SummaryWritten>('write_case_summary', { id, path, includeIdentities, language })
}

/** The summary's suggested file name: the case code kept to letters, digits and dashes. */
export function summaryFileName(code: string): string {
  return `fieldcase-case-${fileNamePart(code, 60, 'summary')}.pdf`
}
