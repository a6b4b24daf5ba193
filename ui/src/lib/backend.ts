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
