// The one place the UI talks to the desktop shell. One typed function per
// command in src-tauri/src/commands.rs; components import these and never
// call `invoke` themselves. Every failure arrives as a BackendError with a
// `code` from the closed set below, so screens switch on `code` and show a
// translated sentence.

import { invoke } from '@tauri-apps/api/core'

/** The codes src-tauri's `error::Code` serialises to. Keep the two lists in step
 * (a Rust test reads this file to check). */
export const ERROR_CODES = [
  'wrong_passphrase',
  'no_profile',
  'profile_exists',
  'in_use',
  'invalid',
  'not_found',
  'conflict',
  'store_damaged',
  'newer_version',
  'disk_full',
  'locked',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** A failed command: `code` to branch on, `message` (English, from the core) as detail. */
export class BackendError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'BackendError'
    this.code = code
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

/** Turns whatever `invoke` rejected with into a BackendError. The shell sends
 * `{code, message}`; Tauri itself rejects with a plain string (for example when
 * a command is not permitted), which becomes `internal`. */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw
  if (typeof raw === 'object' && raw !== null) {
    const { code, message } = raw as { code?: unknown; message?: unknown }
    const text = typeof message === 'string' ? message : ''
    return new BackendError(isErrorCode(code) ? code : 'internal', text)
  }
  return new BackendError('internal', typeof raw === 'string' ? raw : String(raw))
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (raw) {
    throw toBackendError(raw)
  }
}

/** Which screen to show first. */
export interface AppStatus {
  profile_exists: boolean
  unlocked: boolean
}

/** The record kinds the core counts. */
export type RecordKind =
  | 'person'
  | 'establishment'
  | 'visit'
  | 'interview'
  | 'case'
  | 'referral'
  | 'attachment'

export interface KindCount {
  kind: RecordKind
  count: number
}

export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>('app_status')
}

/** First run: creates the profile and leaves it unlocked. */
export function createProfile(passphrase: string, deviceName: string): Promise<void> {
  return call<void>('create_profile', { passphrase, deviceName })
}

export function unlock(passphrase: string): Promise<void> {
  return call<void>('unlock', { passphrase })
}

/** Closes the store; harmless when already locked. */
export function lock(): Promise<void> {
  return call<void>('lock')
}

export function recordCounts(): Promise<KindCount[]> {
  return call<KindCount[]>('record_counts')
}

/** A person as pickers show them: the pseudonym only. */
export interface PersonChoice {
  id: string
  pseudonym: string
}

/** A draft as Home lists it (never its body). */
export interface DraftSummary {
  id: string
  kind: RecordKind
  record_id: string | null
  person_id: string | null
  person_pseudonym: string | null
  saved_at: string
}

/** A draft with its partial, unvalidated body. */
export interface Draft extends DraftSummary {
  body: Record<string, unknown>
}

/** An earlier interview of the same person. */
export interface EarlierStatement {
  id: string
  started_at: string
  narrative: string
}

export function listPersons(): Promise<PersonChoice[]> {
  return call<PersonChoice[]>('list_persons')
}

/** Adds a survivor known by a pseudonym only. */
export function addPerson(pseudonym: string): Promise<PersonChoice> {
  return call<PersonChoice>('add_person', { pseudonym })
}

/** Saves a draft; `id` null starts a new one. */
export function saveDraft(
  id: string | null,
  kind: RecordKind,
  body: Record<string, unknown>,
): Promise<DraftSummary> {
  return call<DraftSummary>('save_draft', { id, kind, body })
}

export function listDrafts(): Promise<DraftSummary[]> {
  return call<DraftSummary[]>('list_drafts')
}

export function loadDraft(id: string): Promise<Draft> {
  return call<Draft>('load_draft', { id })
}

export function discardDraft(id: string): Promise<void> {
  return call<void>('discard_draft', { id })
}

/** Validates the draft and writes the record; returns the record id. */
export function commitDraft(id: string): Promise<string> {
  return call<string>('commit_draft', { id })
}

export function earlierStatements(personId: string): Promise<EarlierStatement[]> {
  return call<EarlierStatement[]>('earlier_statements', { personId })
}
