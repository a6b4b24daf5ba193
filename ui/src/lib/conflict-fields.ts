// The Conflicts screen names the fields where two versions differ by their
// labels in the i18n tables (`Name`, `Where it is › City or town`) rather than
// by JSON pointer (`/location/city`); the pointer stays as secondary text.
// A field with no label anywhere is shown by its pointer, as before.

import type { RecordKind } from './backend'

/** Labels that depend on the kind (a visit's `narrative` is not an interview's), by pointer
 * without list positions (`location/city`, `sampling/stratum`). */
const BY_KIND: Partial<Record<RecordKind, Record<string, string>>> = {
  establishment: {
    name: 'est.name',
    aliases: 'est.aliases',
    type: 'est.type',
    location: 'est.location',
    'location/province': 'est.province',
    'location/city': 'est.city',
    'location/district': 'est.district',
    'location/commune': 'est.commune',
    'location/address': 'est.address',
    status: 'est.status',
    notes: 'est.notes',
  },
  visit: {
    establishment_id: 'one.establishment',
    purpose: 'visit.purpose',
    team: 'visit.team',
    counts: 'visit.counts',
    age_judged_by: 'visit.ageJudgedBy',
    age_confidence: 'visit.ageConfidence',
    sampling: 'visit.sampling',
    'sampling/stratum': 'visit.stratum',
    'sampling/replaced_closed_establishment': 'visit.replaced',
    indicators: 'visit.indicators',
    narrative: 'visit.narrative',
    follow_up: 'visit.followUps',
    'follow_up/action': 'visit.action',
  },
}

/** A JSON pointer's parts, unescaped (RFC 6901). */
function parts(path: string): string[] {
  return path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
}

const isPosition = (part: string) => /^\d+$/.test(part)

/** A field's name in the person's language, and whether one was found. */
export interface FieldName {
  label: string
  known: boolean
}

/**
 * The label of the field at `path` in a record of `kind`: the longest leading part of the
 * pointer that has a label (the kind's own first, then the shared `field.<key>` of a top-level
 * key), then what follows in words, list positions counted from 1
 * (`/people_present/0/role` -> `People present › 1 › role`). `lookup(key)` returns a
 * translation or null. With no label for any leading part, the pointer itself.
 */
export function conflictFieldName(kind: RecordKind, path: string, lookup: (key: string) => string | null): FieldName {
  const all = parts(path)
  const own = BY_KIND[kind] ?? {}
  for (let end = all.length; end > 0; end--) {
    if (isPosition(all[end - 1])) continue
    const named = all.slice(0, end).filter((p) => !isPosition(p))
    const key = own[named.join('/')] ?? (named.length === 1 ? `field.${named[0]}` : null)
    const label = key ? lookup(key) : null
    if (!label) continue
    const rest = all.slice(end).map((p) => (isPosition(p) ? String(Number(p) + 1) : p.replace(/_/g, ' ')))
    return { label: [label, ...rest].join(' › '), known: true }
  }
  return { label: path, known: false }
}
