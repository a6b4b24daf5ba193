// The visit screen's logic that needs no window: the code lists the core's
// model uses (core/src/model/visit.rs), the counts grid with its running
// totals, the draft body built from the form and read back into it, and which
// field a core validation message names. The core checks every rule again
// when the draft is committed.

export const PURPOSES = [
  'prevalence_count',
  'monitoring',
  'undercover_investigation',
  'follow_up',
  'joint_operation',
] as const
export const AGE_BANDS = ['under_16', 'age_16_17', 'adult', 'unknown'] as const
export const SEXES = ['female', 'male', 'other', 'unknown'] as const
export const AGE_JUDGEMENTS = ['documents', 'stated', 'appearance'] as const
export const CONFIDENCES = ['low', 'medium', 'high'] as const
export const INDICATORS = [
  'guards',
  'locked_doors_or_barred_windows',
  'barbed_wire_and_cctv',
  'workers_not_free_to_leave',
  'offers_of_minors',
  'offers_of_virginity',
  'signs_of_violence',
  'documents_held_by_employer',
  'talk_of_debt',
] as const

export type AgeBand = (typeof AGE_BANDS)[number]
export type Sex = (typeof SEXES)[number]

/** What is typed in each cell of the counts grid, by band then sex. */
export type Grid = Record<AgeBand, Record<Sex, string>>

/** The largest count a cell takes (the core's u32 holds far more; this catches typos). */
export const MAX_COUNT = 100000

export function emptyGrid(): Grid {
  const g = {} as Grid
  for (const band of AGE_BANDS) {
    g[band] = { female: '', male: '', other: '', unknown: '' }
  }
  return g
}

/** A cell's number: 0 when empty, null when it is not a whole number from 0 to MAX_COUNT.
 * Khmer digits (០-៩) count as digits. */
export function parseCount(text: string): number | null {
  const t = text.trim().replace(/[\u17e0-\u17e9]/g, (d) => String(d.charCodeAt(0) - 0x17e0))
  if (t === '') return 0
  if (!/^\d+$/.test(t)) return null
  const n = Number(t)
  return n <= MAX_COUNT ? n : null
}

export interface Totals {
  /** Per age band, all sexes. */
  rows: Record<AgeBand, number>
  /** Per sex, all bands. */
  cols: Record<Sex, number>
  /** Everyone counted. */
  grand: number
  /** Cells that are not a valid count (left out of the totals). */
  invalid: { band: AgeBand; sex: Sex }[]
}

/** Row, column and grand totals of the grid; invalid cells count as nothing. */
export function totals(grid: Grid): Totals {
  const rows = { under_16: 0, age_16_17: 0, adult: 0, unknown: 0 } as Record<AgeBand, number>
  const cols = { female: 0, male: 0, other: 0, unknown: 0 } as Record<Sex, number>
  const invalid: Totals['invalid'] = []
  let grand = 0
  for (const band of AGE_BANDS) {
    for (const sex of SEXES) {
      const n = parseCount(grid[band]?.[sex] ?? '')
      if (n === null) {
        invalid.push({ band, sex })
        continue
      }
      rows[band] += n
      cols[sex] += n
      grand += n
    }
  }
  return { rows, cols, grand, invalid }
}

export interface Count {
  age_band: AgeBand
  sex: Sex
  count: number
}

/** The model's `counts`: one entry per cell above zero. An invalid cell is sent as typed,
 * so the core refuses it by name rather than it being dropped quietly. */
export function countsOf(grid: Grid): (Count | { age_band: AgeBand; sex: Sex; count: string })[] {
  const out: (Count | { age_band: AgeBand; sex: Sex; count: string })[] = []
  for (const band of AGE_BANDS) {
    for (const sex of SEXES) {
      const text = grid[band][sex]
      const n = parseCount(text)
      if (n === null) out.push({ age_band: band, sex, count: text.trim() })
      else if (n > 0) out.push({ age_band: band, sex, count: n })
    }
  }
  return out
}

/** The grid back from a draft's or record's `counts`. */
export function gridOf(counts: unknown): Grid {
  const g = emptyGrid()
  if (!Array.isArray(counts)) return g
  for (const c of counts as { age_band?: unknown; sex?: unknown; count?: unknown }[]) {
    const band = c?.age_band as AgeBand
    const sex = c?.sex as Sex
    if ((AGE_BANDS as readonly string[]).includes(band) && (SEXES as readonly string[]).includes(sex)) {
      g[band][sex] = c.count === undefined || c.count === null ? '' : String(c.count)
    }
  }
  return g
}

export interface FollowUp {
  action: string
  due: string
  done: boolean
}

/** Everything the visit form holds, as typed. */
export interface VisitForm {
  establishmentId: string
  /** Local date `YYYY-MM-DD` and times `HH:MM` as typed; stored as UTC. */
  date: string
  start: string
  end: string
  purpose: string
  team: string
  grid: Grid
  ageJudgedBy: string[]
  ageConfidence: string
  stratum: string
  replacedClosed: boolean
  /** The closed establishment this one replaced, if recorded ('' for none). */
  replacedId: string
  indicators: string[]
  narrative: string
  followUps: FollowUp[]
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** Today's local date and the time now, as the form shows them. */
export function localNow(now: Date = new Date()): { date: string; time: string } {
  return {
    date: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`,
    time: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  }
}

/** A local date and time as a UTC instant (`…Z`), or the text as typed when it is not
 * one (so the core names the field). */
export function toUtc(date: string, time: string): string {
  const d = date.trim()
  const t = time.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(d) && /^\d{1,2}:\d{2}$/.test(t)) {
    const [hh, mm] = t.split(':').map(Number)
    const [y, mo, da] = d.split('-').map(Number)
    const local = new Date(y, mo - 1, da, hh, mm)
    if (
      hh < 24 &&
      mm < 60 &&
      local.getFullYear() === y &&
      local.getMonth() === mo - 1 &&
      local.getDate() === da
    ) {
      return local.toISOString().replace(/\.\d{3}Z$/, 'Z')
    }
  }
  return `${d}T${t}`
}

/** A stored UTC instant as the form's local date and time. */
export function fromUtc(iso: unknown): { date: string; time: string } | null {
  if (typeof iso !== 'string') return null
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return null
  return localNow(d)
}

/** The team as typed ("SW-02, Dara") as the model's list of names or codes. */
export function teamOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** The visit body the draft holds (need not be valid yet). Empty optional fields are left out. */
export function visitBody(f: VisitForm): Record<string, unknown> {
  const b: Record<string, unknown> = {
    establishment_id: f.establishmentId,
    started_at: toUtc(f.date, f.start),
    team: teamOf(f.team),
    purpose: f.purpose,
  }
  if (f.end.trim()) b.ended_at = toUtc(f.date, f.end)
  const counts = countsOf(f.grid)
  if (counts.length > 0) b.counts = counts
  if (f.ageJudgedBy.length > 0) b.age_judged_by = AGE_JUDGEMENTS.filter((a) => f.ageJudgedBy.includes(a))
  if (f.ageConfidence) b.age_confidence = f.ageConfidence
  if (f.stratum.trim() || f.replacedClosed || f.purpose === 'prevalence_count') {
    const s: Record<string, unknown> = { stratum: f.stratum.trim() }
    if (f.replacedClosed) s.replaced_closed_establishment = true
    if (f.replacedClosed && f.replacedId) s.replaced_establishment_id = f.replacedId
    b.sampling = s
  }
  if (f.indicators.length > 0) b.indicators = INDICATORS.filter((i) => f.indicators.includes(i))
  if (f.narrative.trim()) b.narrative = f.narrative
  const follow = f.followUps
    .filter((x) => x.action.trim() || x.due.trim() || x.done)
    .map((x) => {
      const o: Record<string, unknown> = { action: x.action.trim() }
      if (x.due.trim()) o.due = x.due.trim()
      if (x.done) o.done = true
      return o
    })
  if (follow.length > 0) b.follow_up = follow
  return b
}

/** The form back from a draft body (what cannot be read stays as `base` has it). */
export function formOf(b: Record<string, unknown>, base: VisitForm): VisitForm {
  const f: VisitForm = { ...base, grid: gridOf(b.counts) }
  if (typeof b.establishment_id === 'string') f.establishmentId = b.establishment_id
  const start = fromUtc(b.started_at)
  if (start) {
    f.date = start.date
    f.start = start.time
  }
  const end = fromUtc(b.ended_at)
  f.end = end ? end.time : ''
  if (typeof b.purpose === 'string') f.purpose = b.purpose
  if (Array.isArray(b.team)) f.team = (b.team as unknown[]).map(String).join(', ')
  f.ageJudgedBy = Array.isArray(b.age_judged_by) ? (b.age_judged_by as string[]) : []
  f.ageConfidence = typeof b.age_confidence === 'string' ? b.age_confidence : ''
  const s = (b.sampling ?? {}) as {
    stratum?: unknown
    replaced_closed_establishment?: unknown
    replaced_establishment_id?: unknown
  }
  f.stratum = typeof s.stratum === 'string' ? s.stratum : ''
  f.replacedClosed = s.replaced_closed_establishment === true
  f.replacedId = typeof s.replaced_establishment_id === 'string' ? s.replaced_establishment_id : ''
  f.indicators = Array.isArray(b.indicators) ? (b.indicators as string[]) : []
  f.narrative = typeof b.narrative === 'string' ? b.narrative : ''
  f.followUps = Array.isArray(b.follow_up)
    ? (b.follow_up as { action?: unknown; due?: unknown; done?: unknown }[]).map((x) => ({
        action: typeof x.action === 'string' ? x.action : '',
        due: typeof x.due === 'string' ? x.due : '',
        done: x.done === true,
      }))
    : []
  return f
}

/** The field path a core validation message names (`invalid input: visit.team: needs…`),
 * and its rule; null when the message names none. */
export function fieldError(message: string): { field: string; rule: string } | null {
  const m = /^(?:invalid input: )?((?:visit|establishment|case)(?:[.[][\w\]]*)*): (.*)$/s.exec(message.trim())
  if (!m) return null
  return { field: m[1], rule: m[2] }
}

/** Whether the error's field is `prefix` or inside it (`visit.sampling` holds
 * `visit.sampling.stratum`; `visit.counts` holds `visit.counts[2].count`). */
export function names(field: string | undefined, prefix: string): boolean {
  if (!field) return false
  return field === prefix || field.startsWith(prefix + '.') || field.startsWith(prefix + '[')
}
