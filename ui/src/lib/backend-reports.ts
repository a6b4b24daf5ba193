// Typed wrappers of the office's report commands (src-tauri/src/reports.rs):
// the prevalence and casework reports as the core computes them, and CSV files
// for partners written to a typed path.

import { call, type RecordKind } from './backend'
import { withPassphrase } from './reauth'
import type { Share } from './charts'

export type Period = 'month' | 'quarter' | 'year'
export type PlaceLevel = 'city' | 'province'

/** What a report covers and how it is cut: the CLI's options. Dates are YYYY-MM-DD or null. */
export interface ReportOptions {
  from: string | null
  to: string | null
  by: Period
  place: PlaceLevel | null
  /** The small-cell threshold; null means the default (11). Lower is logged. */
  min_cell: number | null
}

/** The query as the core echoes it back. */
export interface ReportQuery {
  from: string | null
  to: string | null
  by: Period
  place: PlaceLevel
  min_cell: number
}

/** One place in one period; a null count was withheld by the small-cell rule. */
export interface PrevalenceRow {
  place: string
  period: string
  visits: number
  establishments_visited: number
  people_observed: number | null
  under_16: number | null
  age_16_17: number | null
  adult: number | null
  age_unknown: number | null
  age_judged: number | null
  share_under_16: Share | null
  share_16_17: Share | null
  suppressed: string[]
}

export interface PrevalenceReport {
  report: 'prevalence'
  query: ReportQuery
  weighting: string
  rows: PrevalenceRow[]
}

export interface CaseworkPeriod {
  period: string
  interviews_held: number | null
  people_interviewed: number | null
  victims_identified: number | null
  referrals_made: number | null
  referrals_completed: number | null
  cases_opened: number | null
  arrests: number | null
  convictions: number | null
  suppressed: string[]
}

export interface IndicatorRow {
  indicator: string
  people: number | null
  interviews: number | null
  share_of_people_interviewed: number | null
}

export interface StatusRow {
  status: string
  htcds_status: string
  cases: number | null
}

export interface CaseworkReport {
  report: 'casework'
  query: ReportQuery
  periods: CaseworkPeriod[]
  people_interviewed: number | null
  ilo_indicators: IndicatorRow[]
  cases_by_status: StatusRow[]
}

/** Which CSV a partner gets. */
export type PartnerCsv =
  | { what: 'prevalence'; options: ReportOptions }
  | { what: 'casework'; options: ReportOptions }
  | { what: 'records'; kind: RecordKind; include_identities: boolean }

/** What was written. */
export interface CsvWritten {
  path: string
  bytes: number
  rows: number | null
  left_out: number | null
}

// A threshold lowered below the default, and identities going to a partner, need the
// passphrase typed again: the shell says when, and these ask (lib/reauth.ts); they reject
// with `Cancelled` if the person cancels.

export function prevalenceReport(options: ReportOptions): Promise<PrevalenceReport> {
  return withPassphrase((passphrase) => call<PrevalenceReport>('prevalence_report', { options, passphrase }))
}

export function caseworkReport(options: ReportOptions): Promise<CaseworkReport> {
  return withPassphrase((passphrase) => call<CaseworkReport>('casework_report', { options, passphrase }))
}

/** Writes a partner CSV to `path` (full or ~/…; must not exist); `file_exists` if it does. */
export function writePartnerCsv(path: string, csv: PartnerCsv): Promise<CsvWritten> {
  return withPassphrase((passphrase) => call<CsvWritten>('write_partner_csv', { path, csv, passphrase }))
}
