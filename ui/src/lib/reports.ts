// Pure helpers of the Reports screen: reading the filters, and turning the
// prevalence report's rows (place × period) into one series per place.

import type { PrevalenceRow } from './backend-reports'
import type { Share } from './charts'

/** Whether `text` is blank or a real calendar day written YYYY-MM-DD. */
export function isDayOrBlank(text: string): boolean {
  const t = text.trim()
  if (t === '') return true
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/** A typed date as the command takes it: trimmed, or null when blank. */
export function dayOrNull(text: string): string | null {
  const t = text.trim()
  return t === '' ? null : t
}

/** One place's rows, periods in the report's order, with both shares as series for the chart. */
export interface PlaceSeries {
  place: string
  rows: PrevalenceRow[]
  under16: (Share | null)[]
  age16to17: (Share | null)[]
}

/** Groups the rows by place, keeping the report's order of places and of periods. */
export function byPlace(rows: PrevalenceRow[]): PlaceSeries[] {
  const out: PlaceSeries[] = []
  for (const row of rows) {
    let entry = out.find((p) => p.place === row.place)
    if (!entry) {
      entry = { place: row.place, rows: [], under16: [], age16to17: [] }
      out.push(entry)
    }
    entry.rows.push(row)
    entry.under16.push(row.share_under_16)
    entry.age16to17.push(row.share_16_17)
  }
  return out
}

/** A count for a table cell: the number, or the withheld marker. */
export function cell(value: number | null, withheld: string): string {
  return value === null ? withheld : String(value)
}
