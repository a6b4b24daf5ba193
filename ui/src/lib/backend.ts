// The one place the UI talks to the desktop shell. One typed function per
// command in src-tauri/src/commands.rs; components import these and never
// call `invoke` themselves. Every failure arrives as a BackendError with a
// `code` from the closed set below, so screens switch on `code` and show a
// translated sentence.

import { Channel, invoke } from '@tauri-apps/api/core'
import { withPassphrase } from './reauth'

/** The codes src-tauri's `error::Code` serialises to. Keep the two lists in step
 * (a Rust test reads this file to check). */
export const ERROR_CODES = [
  'wrong_passphrase',
  'passphrase_needed',
  'unlock_delayed',
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
  'busy',
  'no_recipient',
  'nothing_to_export',
  'not_an_office',
  'untrusted',
  'bundle_refused',
  'receipt_refused',
  'file_exists',
  'file_error',
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

/** Invokes a command, failures as BackendError (for the typed wrappers in other lib files). */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
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

/** What a profile is for: a field laptop sends bundles, the office imports them. */
export type Role = 'field' | 'office'

/** First run: creates the profile (an office one with its age key) and leaves it unlocked. */
export function createProfile(passphrase: string, deviceName: string, role: Role): Promise<void> {
  return call<void>('create_profile', { passphrase, deviceName, role })
}

export function unlock(passphrase: string): Promise<void> {
  return call<void>('unlock', { passphrase })
}

/** Closes the store; harmless when already locked. */
export function lock(): Promise<void> {
  return call<void>('lock')
}

/** The panic key's first step: the profile counts as locked at once (a reload shows the
 * unlock screen); only the last draft save still reaches it, until `lock` or the shell's
 * own bound of two seconds. */
export function beginLock(): Promise<void> {
  return call<void>('begin_lock')
}

/** Someone is using the app: the shell's auto-lock deadline moves on. */
export function reportActivity(): Promise<void> {
  return call<void>('report_activity')
}

/** The auto-lock time, in minutes (one of Settings' choices). */
export function setAutoLock(minutes: number): Promise<void> {
  return call<void>('set_auto_lock', { minutes })
}

/** Why the shell locked by itself. */
export type LockCause = 'idle' | 'sleep' | 'screen_locked'

/** `onLock` runs whenever the shell locks by itself (auto-lock, sleep, screen lock). */
export function watchLocks(onLock: (cause: LockCause) => void): Promise<void> {
  const channel = new Channel<LockCause>()
  channel.onmessage = onLock
  return call<void>('watch_locks', { onLock: channel })
}

export function recordCounts(): Promise<KindCount[]> {
  return call<KindCount[]>('record_counts')
}

/** A bundle this laptop wrote. */
export interface SentBundle {
  bundle_id: string
  sequence: number
  bundle_sha256: string
  created_at: string
  acknowledged_at: string | null
}

/** What awaits export, the last bundle written and the last receipt (field laptops). */
export interface ExportStatus {
  unacknowledged: number
  never_exported: number
  last_export: SentBundle | null
  bundles_awaiting_receipt: number
  last_receipt_at: string | null
}

export function exportStatus(): Promise<ExportStatus> {
  return call<ExportStatus>('export_status')
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

/** This device's signing key, as the office needs it. */
export interface DeviceKey {
  /** minisign's two-line public key file. */
  minisign: string
  /** The public key alone (base64), what the office pastes. */
  public_key: string
  /** minisign's key id, 16 hex digits, to read out over the phone. */
  fingerprint: string
}

/** A signing key this profile trusts (or trusted: `revoked_at` set). */
export interface TrustedKey {
  public_key: string
  key_id: string
  name: string
  added_at: string
  revoked_at: string | null
}

/** The profile's role, keys and trust. */
export interface ProfileSettings {
  role: Role
  device_name: string
  device_key: DeviceKey
  office_recipients: string[]
  office_recipient: string | null
  trusted: TrustedKey[]
}

export function profileSettings(): Promise<ProfileSettings> {
  return call<ProfileSettings>('profile_settings')
}

/** Field: adds the office's `age1…` recipient; returns the list now held. Asks for the
 * passphrase again (lib/reauth.ts); rejects with `Cancelled` if the person cancels. */
export function addOfficeRecipient(recipient: string): Promise<string[]> {
  return withPassphrase((passphrase) => call<string[]>('add_office_recipient', { recipient, passphrase }))
}

/** Office: trusts a field device's key (a laptop: the office's receipt key); returns the
 * trusted list. Asks for the passphrase again; rejects with `Cancelled` if cancelled. */
export function trustDevice(publicKey: string, name: string): Promise<TrustedKey[]> {
  return withPassphrase((passphrase) => call<TrustedKey[]>('trust_device', { publicKey, name, passphrase }))
}

/** Office: revokes a device key for good; returns the trusted list. */
export function revokeDevice(keyId: string): Promise<TrustedKey[]> {
  return call<TrustedKey[]>('revoke_device', { keyId })
}

export function homeFolder(): Promise<string> {
  return call<string>('home_folder')
}

/** Bytes done of a total, as export and import report them. */
export interface Progress {
  stage: 'export' | 'verify' | 'import'
  done: number
  total: number
}

/** What a bundle holds. */
export interface Counts {
  revisions: number
  records: number
  tombstones: number
  attachments: number
  attachment_bytes: number
}

export interface ExportSummary {
  path: string
  bundle_id: string
  sequence: number
  bundle_sha256: string
  previous_bundle_sha256: string | null
  counts: Counts
  file_bytes: number
}

export interface Gaps {
  missing: number[]
  out_of_order: boolean
  previous_mismatch: boolean
  already_imported: boolean
}

export interface ImportSummary {
  bundle_id: string
  device_id: string
  device_name: string
  signer: string
  sequence: number
  bundle_sha256: string
  added: number
  known: number
  tombstones: number
  attachments_stored: number
  conflicts: string[]
  gaps: Gaps
}

function progressChannel(onProgress: (p: Progress) => void): Channel<Progress> {
  const channel = new Channel<Progress>()
  channel.onmessage = onProgress
  return channel
}

/** Field: writes a bundle to `path` (must not exist yet); `all` resends everything. */
export function exportBundle(
  path: string,
  all: boolean,
  onProgress: (p: Progress) => void,
): Promise<ExportSummary> {
  return call<ExportSummary>('export_bundle', { path, all, onProgress: progressChannel(onProgress) })
}

/** Office: imports one bundle, all of it or nothing. */
export function importBundle(path: string, onProgress: (p: Progress) => void): Promise<ImportSummary> {
  return call<ImportSummary>('import_bundle', { path, onProgress: progressChannel(onProgress) })
}

/** One version of a record in conflict, as lists show it. */
export interface ConflictHeadSummary {
  revision: string
  device_id: string
  device_name: string | null
  author: string
  created_at: string
  deleted: boolean
}

/** A record with two or more versions. */
export interface ConflictSummary {
  id: string
  kind: RecordKind
  label: string
  updated_at: string
  heads: ConflictHeadSummary[]
}

/** One version with its body (null when it is a deletion or was purged). */
export interface ConflictHead extends ConflictHeadSummary {
  parents: string[]
  body: Record<string, unknown> | null
  purged: boolean
}

/** A field (JSON pointer) where the versions differ: one value per version, null where absent. */
export interface FieldDifference {
  path: string
  values: (unknown | null)[]
  ancestor: unknown | null
}

export interface ConflictView {
  id: string
  kind: RecordKind
  label: string
  heads: ConflictHead[]
  common_ancestor: string | null
  differences: FieldDifference[]
  identity_differs: boolean
}

export type ResolveRequest = { how: 'take'; revision: string } | { how: 'merge'; body: Record<string, unknown> }

export type ResolveOutcome =
  | { outcome: 'resolved'; id: string; revision: string; parents: string[]; deleted: boolean }
  | { outcome: 'confirm'; fields: string[] }

export function listConflicts(): Promise<ConflictSummary[]> {
  return call<ConflictSummary[]>('list_conflicts')
}

export function showConflict(id: string): Promise<ConflictView> {
  return call<ConflictView>('show_conflict', { id })
}

/** Resolves a conflict; a merge dropping a field every version holds comes back as
 * `confirm` until those fields are passed in `confirmedDrops`. */
export function resolveConflict(
  id: string,
  resolution: ResolveRequest,
  confirmedDrops: string[] = [],
): Promise<ResolveOutcome> {
  return call<ResolveOutcome>('resolve_conflict', { id, resolution, confirmedDrops })
}

/** A receipt the office wrote for a bundle. */
export interface ReceiptWritten {
  written_at: string
  revisions: number
  attachments: number
  receipt_sha256: string | null
  from_audit: boolean
}

/** One sequence number on a device's timeline: a bundle received, or a gap. */
export interface TimelineEntry {
  sequence: number
  status: 'received' | 'missing'
  bundle_id?: string
  device_id?: string
  bundle_sha256?: string
  written_at?: string
  imported_at?: string
  revisions?: number
  attachments?: number
  previous_matches?: boolean | null
  receipts?: ReceiptWritten[]
}

/** A trusted device (signing key) and what the office has received from it. */
export interface DeviceTimeline {
  key_id: string
  name: string
  public_key: string
  trusted_at: string
  revoked_at: string | null
  revoked: boolean
  device_name: string | null
  device_ids: string[]
  last_seen: string | null
  newest_sequence: number | null
  bundles_received: number
  missing: number[]
  without_receipt: number[]
  receipts_written: number
  timeline: TimelineEntry[]
}

export function deviceTimelines(): Promise<DeviceTimeline[]> {
  return call<DeviceTimeline[]>('device_timelines')
}

/** How far a passphrase change has gone: bytes re-encrypted of the total. */
export interface RekeyProgress {
  done: number
  total: number
}

/** Changes the passphrase, re-encrypting the store under a new key; `wrong_passphrase` when
 * `current` is not it (nothing changes). Progress arrives on `onProgress`. */
export function changePassphrase(
  current: string,
  newPassphrase: string,
  onProgress: (p: RekeyProgress) => void = () => {},
): Promise<void> {
  const channel = new Channel<RekeyProgress>()
  channel.onmessage = onProgress
  return call<void>('change_passphrase', { current, newPassphrase, onProgress: channel })
}
