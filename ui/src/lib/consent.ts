// Consent on an interview as the Record screen shows it, and the date a
// withdrawal is recorded at. Pure, so it is tested apart.

import { call } from './backend'

export const CONSENT_PARTS = ['interview', 'recording', 'sharing_with_police', 'sharing_with_prosecutors'] as const
export type ConsentPartName = (typeof CONSENT_PARTS)[number]

export interface PartState {
  part: ConsentPartName
  given: boolean
  withdrawnAt: string | null
  withdrawnBy: string | null
}

/** Each part of an interview body's `consent`: given or not, and its withdrawal. */
export function consentStates(body: Record<string, unknown> | null | undefined): PartState[] {
  const consent = (body?.consent ?? {}) as Record<string, Record<string, unknown> | undefined>
  return CONSENT_PARTS.map((part) => {
    const p = consent[part] ?? {}
    const w = (p.withdrawn ?? null) as Record<string, unknown> | null
    return {
      part,
      given: p.given === true,
      withdrawnAt: w && typeof w.at === 'string' ? w.at : null,
      withdrawnBy: w && typeof w.recorded_by === 'string' ? w.recorded_by : null,
    }
  })
}

/** The instant sent for a withdrawal dated `day` (YYYY-MM-DD): now for today, else noon that
 * day (local); null when `day` is not a date or lies in the future. */
export function withdrawalInstant(day: string, now: Date = new Date()): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim())
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])]
  const noon = new Date(y, mo, d, 12, 0, 0)
  if (noon.getFullYear() !== y || noon.getMonth() !== mo || noon.getDate() !== d) return null
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate())
  const that = new Date(y, mo, d)
  if (that.getTime() > today.getTime()) return null
  return that.getTime() === today.getTime() ? now.toISOString() : noon.toISOString()
}

/** Today as YYYY-MM-DD (local). */
export function todayText(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

export function withdrawConsent(
  id: string,
  part: ConsentPartName,
  at: string,
  recordedBy: string,
  note: string,
): Promise<void> {
  return call<void>('withdraw_consent', { id, part, at, recordedBy, note })
}
