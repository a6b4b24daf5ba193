// Search, a record with its history, people by pseudonym, and the identity
// reveal: the typed wrappers for src-tauri/src/records.rs, and the pure logic
// the screens use to show a record plainly (tested in records.test.ts).
// Nothing here is stored anywhere: results live only in the open screen.

import { call, type RecordKind } from './backend'
import { tables, type Key, type Params } from './i18n'

/** A search result: never identity. */
export interface SearchHit {
  id: string
  kind: RecordKind
  label: string
  excerpt: string
  updated_at: string
}

export interface SearchPage {
  hits: SearchHit[]
  more: boolean
}

/** A line of a list (a person by pseudonym). */
export interface RecordSummary {
  id: string
  kind: RecordKind
  label: string
  updated_at: string
  conflict: boolean
}

export interface ListPage {
  records: RecordSummary[]
  /** Where the next page starts; null when this was the last. */
  next: string | null
}

/** A record as it stands; `body` never holds the identity section. */
export interface RecordView {
  id: string
  kind: RecordKind
  label: string
  created_at: string
  updated_at: string
  deleted: boolean
  heads: string[]
  body: Record<string, unknown> | null
  has_identity: boolean
  purged?: unknown
}

export interface FieldChange {
  path: string
  before: unknown
  after: unknown
}

export interface HistoryEntry {
  revision: string
  device_id: string
  device_name: string | null
  author: string
  created_at: string
  deleted: boolean
  parents: string[]
  purged: boolean
  changes: FieldChange[]
  identity_changed: boolean
}

export interface RecordHistory {
  record: RecordView
  revisions: HistoryEntry[]
}

/** Records whose text contains `query`, a page from `offset`. */
export function searchRecords(query: string, offset: number): Promise<SearchPage> {
  return call<SearchPage>('search_records', { query, offset })
}

/** A record and its history, field by field (never identity). */
export function recordHistory(id: string): Promise<RecordHistory> {
  return call<RecordHistory>('record_history', { id })
}

/** A page of people by pseudonym; `after` is the previous page's `next`. */
export function personPage(after: string | null): Promise<ListPage> {
  return call<ListPage>('person_page', { after })
}

/** The records changed most recently, every kind but attachments: Home's recent work. */
export function recentWork(): Promise<RecordSummary[]> {
  return call<RecordSummary[]>('recent_work')
}

/** A person's identity section (null if none). Logged in the audit chain by the core. */
export function revealIdentity(id: string): Promise<Record<string, unknown> | null> {
  return call<Record<string, unknown> | null>('reveal_identity', { id })
}

/** The singular name of a kind. */
export function oneKey(kind: RecordKind): Key {
  return `one.${kind}` as Key
}

/** Fields shown apart from the rest (an interview's two voices) or not as plain rows. */
export const APART = new Set(['narrative', 'interviewer_notes', 'person_id'])

/** Whether a value holds nothing worth a row. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object') return Object.values(v as object).every(isEmpty)
  return false
}

/** A code or key as words: `forced_labour` -> `forced labour`. */
export function words(code: string): string {
  return code.replace(/_/g, ' ')
}

/** The last key of a JSON pointer, unescaped (RFC 6901). */
function unescape(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~')
}

/**
 * A field's label: the translated name of its top-level key, then the rest of
 * the pointer in words (`/consent/interview/given` -> `Consent › interview › given`).
 * `label(key)` returns the translation or null when there is none.
 */
export function fieldLabel(path: string, label: (key: string) => string | null): string {
  const parts = path.split('/').filter((p) => p !== '').map(unescape)
  if (parts.length === 0) return ''
  const [top, ...rest] = parts
  return [label(top) ?? words(top), ...rest.map((p) => (/^\d+$/.test(p) ? String(Number(p) + 1) : words(p)))].join(
    ' › ',
  )
}

/**
 * Which translation tables a field's codes are in (`ilo.deception`, `role.guardian`…),
 * tried in order; `kind:field` names a field of one kind of record where two kinds use
 * the same name for different codes (an establishment's status and a case's).
 */
const CODE_TABLES: Record<string, string[]> = {
  ilo_indicators: ['ilo'],
  role: ['role', 'estRole'],
  language: ['language'],
  languages: ['language'],
  place: ['ivPlace'],
  stop_reason: ['stopReason'],
  interviewer_gender_preferred: ['genderPref'],
  peace_phase: ['peacePhase'],
  exploitation_types: ['exploitation'],
  sex_exploitation_types: ['sexExploitation'],
  methods_of_control: ['control'],
  methods: ['recruitment'],
  recruiter_role: ['recruiterRole'],
  perpetrator_roles: ['perpetratorRole'],
  need: ['service'],
  service: ['service'],
  sex: ['sex'],
  basis: ['ageBasis'],
  purpose: ['purpose'],
  type: ['estType'],
  media: ['media.kind'],
  'establishment:status': ['estStatus'],
  'case:status': ['caseStatus'],
}

/** The translation keys a code held in `field` (of a record of `kind`) may have, in order. */
export function codeKeys(field: string, code: string, kind = ''): string[] {
  const tables = CODE_TABLES[`${kind}:${field}`] ?? CODE_TABLES[field] ?? []
  return tables.map((table) => `${table}.${code}`)
}

/** The field a pointer names: its last part that is not a list position. */
export function fieldOf(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && !/^\d+$/.test(p))
  return parts.length ? unescape(parts[parts.length - 1]) : ''
}

/**
 * A value as one line of plain text: `yesNo` gives the words for booleans, `nothing`
 * for an empty value; a code is translated through `lookup` (a translation, or null)
 * where its field's codes are (`kind` picks among fields two kinds share), else written
 * as words; an object's part names too (`field.<name>`); times are shown locally.
 */
export function plain(
  v: unknown,
  yesNo: [string, string],
  nothing: string,
  field = '',
  lookup: (key: string) => string | null = () => null,
  kind = '',
): string {
  if (v === null || v === undefined || v === '') return nothing
  if (typeof v === 'boolean') return v ? yesNo[0] : yesNo[1]
  if (typeof v === 'string') {
    for (const key of codeKeys(field, v, kind)) {
      const translated = lookup(key)
      if (translated) return translated
    }
    if (/^[a-z0-9]+(_[a-z0-9]+)+$/.test(v)) return words(v)
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? timeOf(v) : v
  }
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) {
    const items = v.filter((x) => !isEmpty(x)).map((x) => plain(x, yesNo, nothing, field, lookup, kind))
    return items.length ? items.join('; ') : nothing
  }
  const parts = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => !isEmpty(x))
    .map(([k, x]) => `${lookup(`field.${k}`) ?? words(k)}: ${plain(x, yesNo, nothing, k, lookup)}`)
  return parts.length ? parts.join(', ') : nothing
}

/** The core's English kind names, which its labels start with (`Interview · 2026-03-20 · shelter`). */
const CORE_KIND_NAMES: Record<RecordKind, string> = {
  person: 'Person',
  establishment: 'Establishment',
  visit: 'Visit',
  interview: 'Interview',
  case: 'Case',
  referral: 'Referral',
  attachment: 'Attachment',
}

/** A label without the core's leading kind name, for screens that show the kind themselves. */
export function bareLabel(kind: RecordKind, label: string): string {
  const prefix = `${CORE_KIND_NAMES[kind]} · `
  return label.startsWith(prefix) && label.length > prefix.length ? label.slice(prefix.length) : label
}

/** The words of a code as the core's labels write them (`police station`), back to its code. */
function codeOf(words: string): string {
  return words.trim().toLowerCase().replace(/ /g, '_')
}

/** `prefix.code` in the screen's language, if the tables have it; else the core's words. */
function codeWord(tr: (key: Key, params?: Params) => string, prefix: string, words: string): string {
  const key = `${prefix}.${codeOf(words)}`
  return key in tables.en ? tr(key as Key) : words
}

/**
 * A record's label in the screen's language. The core makes labels in English
 * (`Interview · 2026-03-20 · shelter`, `Visit · 2026-03-20 · prevalence count`,
 * `Legal aid`); their kind and code words are put in the screen's language, the
 * date and names stay as they are, and any other label is shown as it came.
 * `bare` leaves out the kind, for screens that show it themselves.
 */
export function localLabel(
  kind: RecordKind,
  label: string,
  tr: (key: Key, params?: Params) => string,
  bare = false,
): string {
  if (kind === 'interview' || kind === 'visit') {
    const m = /^(\S+) · (\d{4}-\d{2}-\d{2}) · (.+)$/.exec(label)
    if (m && m[1] === CORE_KIND_NAMES[kind]) {
      const rest = `${m[2]} · ${codeWord(tr, kind === 'interview' ? 'ivPlace' : 'purpose', m[3])}`
      return bare ? rest : `${tr(oneKey(kind))} · ${rest}`
    }
  }
  if (kind === 'referral') return codeWord(tr, 'service', label)
  return bare ? bareLabel(kind, label) : label
}

/** Cuts a long text for a history line, on a character (not a UTF-16 unit) boundary. */
export function shorten(text: string, max = 120): string {
  const chars = [...text]
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…'
}

/**
 * The rows of a body to show as plain label/value pairs, each named by its JSON
 * pointer: non-empty fields not shown apart; a field holding an object (consent,
 * recruitment…) gives one row per part, so each reads on its own line.
 */
export function rows(body: Record<string, unknown> | null): [string, unknown][] {
  if (!body) return []
  const out: [string, unknown][] = []
  for (const [k, v] of Object.entries(body)) {
    if (APART.has(k) || isEmpty(v)) continue
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [part, pv] of Object.entries(v as Record<string, unknown>)) {
        if (!isEmpty(pv)) out.push([`/${k}/${part}`, pv])
      }
    } else {
      out.push([`/${k}`, v])
    }
  }
  return out
}

/** What one history entry did, as a translation key and its parameter. */
export function entryKind(e: HistoryEntry): { key: Key; n?: number } {
  if (e.deleted) return { key: 'rec.deletedEntry' }
  if (e.parents.length === 0) return { key: 'rec.createdEntry' }
  if (e.purged) return { key: 'rec.purgedEntry' }
  if (e.parents.length > 1) return { key: 'rec.resolvedEntry', n: e.parents.length }
  if (e.changes.length === 0 && !e.identity_changed) return { key: 'rec.noChange' }
  return { key: 'rec.history' }
}

/** Newest first, for display (the core gives oldest first). */
export function newestFirst(entries: HistoryEntry[]): HistoryEntry[] {
  return [...entries].reverse()
}

/** Local date and time, 24-hour, or the text as given when it is not a date. */
export function timeOf(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { hour12: false })
}
