// A record's attachments on screen: what each is, and its bytes turned into an
// object URL that lives only in this window's memory (revoked when the screen
// closes). Photos and videos start blurred; audio never plays by itself.

import { call } from './backend'

export interface AttachmentInfo {
  id: string
  media: 'audio' | 'photo' | 'video' | 'document' | string
  file_name: string
  media_type: string
  size_bytes: number
  sha256: string
  on_this_laptop: boolean
}

export function listAttachments(recordId: string): Promise<AttachmentInfo[]> {
  return call<AttachmentInfo[]>('list_attachments', { recordId })
}

/** The attachment's bytes (checked against its SHA-256 by the core) as an object URL. */
export async function attachmentUrl(a: AttachmentInfo): Promise<string> {
  const bytes = await call<ArrayBuffer>('attachment_bytes', { id: a.id })
  return URL.createObjectURL(new Blob([bytes], { type: a.media_type || 'application/octet-stream' }))
}

/** Whether a screen shows this attachment itself (blurred first) or only describes it. */
export function shownAs(a: AttachmentInfo): 'photo' | 'video' | 'audio' | 'file' {
  if (!a.on_this_laptop) return 'file'
  if (a.media === 'photo' && a.media_type.startsWith('image/')) return 'photo'
  if (a.media === 'video' && a.media_type.startsWith('video/')) return 'video'
  if (a.media === 'audio' && a.media_type.startsWith('audio/')) return 'audio'
  return 'file'
}
