// The interview screen's rules that do not need a window: who counts as a
// guardian, what blocks leaving the people-present step, and where a resumed
// draft opens. The core checks the same rules again when the draft is committed.

import type { Key } from './i18n'

export type Step = 'person' | 'consent' | 'present' | 'account'

export interface Present {
  role: string
  name_or_code: string
}

/** A guardian or a social worker, named, is present. */
export function guarded(present: readonly Present[]): boolean {
  return present.some(
    (p) => (p.role === 'guardian' || p.role === 'social_worker') && p.name_or_code.trim() !== '',
  )
}

/** Why the people-present step cannot be left yet, or null. */
export function presentProblem(present: readonly Present[], minor: boolean): Key | null {
  if (present.some((p) => !p.name_or_code.trim())) return 'iv.presentNameMissing'
  if (minor && !guarded(present)) return 'iv.minorBlocked'
  return null
}

/** Where a resumed draft opens: the first step whose checks it does not pass yet. */
export function resumeStep(d: {
  personId: string
  interviewConsent: boolean
  explainedBy: string
  present: readonly Present[]
  minor: boolean
}): Step {
  if (!d.personId) return 'person'
  if (!d.interviewConsent || !d.explainedBy.trim()) return 'consent'
  if (presentProblem(d.present, d.minor) !== null) return 'present'
  return 'account'
}
