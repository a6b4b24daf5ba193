// Typed wrappers of the investigators' commands (src-tauri/src/visits.rs):
// establishments and attachments by path. Visits are drafts, through
// saveDraft / commitDraft in backend.ts with kind 'visit'.

import { call } from './backend'

/** An establishment as the list shows it. */
export interface EstablishmentRow {
  id: string
  label: string
  /** Its type code (karaoke_bar…), if recorded. */
  type: string | null
  /** The city, else the province. */
  place: string | null
  updated_at: string
  conflict: boolean
}

/** A page of establishments; `next` is set when there may be more. */
export interface EstablishmentPage {
  records: EstablishmentRow[]
  next: string | null
}

export interface EstablishmentView {
  id: string
  label: string
  body: Record<string, unknown>
}

/** An attachment once stored: its SHA-256 was taken by the core as the bytes streamed in. */
export interface AttachmentInfo {
  id: string
  file_name: string
  media_type: string
  size_bytes: number
  sha256: string
}

/** A page of establishments, most recently changed first; `after` is the last page's `next`. */
export function listEstablishments(after: string | null, limit: number): Promise<EstablishmentPage> {
  return call<EstablishmentPage>('list_establishments', { after, limit })
}

export function loadEstablishment(id: string): Promise<EstablishmentView> {
  return call<EstablishmentView>('load_establishment', { id })
}

/** Adds (`id` null) or edits an establishment; returns its id. */
export function saveEstablishment(id: string | null, body: Record<string, unknown>): Promise<string> {
  return call<string>('save_establishment', { id, body })
}

/** Attaches the file at `path` (full, or ~/…) to a record. */
export function attachFile(recordId: string, path: string, description: string | null): Promise<AttachmentInfo> {
  return call<AttachmentInfo>('attach_file', { recordId, path, description })
}
