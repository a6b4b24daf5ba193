import { describe, expect, it } from 'vitest'
import { shownAs, type AttachmentInfo } from './media'

const a = (media: string, media_type: string, on_this_laptop = true): AttachmentInfo => ({
  id: '1',
  media,
  file_name: 'x',
  media_type,
  size_bytes: 1,
  sha256: 'ab',
  on_this_laptop,
})

describe('shownAs', () => {
  it('shows photos, video and audio by their kind, everything else as a file', () => {
    expect(shownAs(a('photo', 'image/jpeg'))).toBe('photo')
    expect(shownAs(a('video', 'video/mp4'))).toBe('video')
    expect(shownAs(a('audio', 'audio/ogg'))).toBe('audio')
    expect(shownAs(a('document', 'application/pdf'))).toBe('file')
    expect(shownAs(a('photo', 'application/octet-stream'))).toBe('file')
  })
  it('never tries to show what is not on this laptop (purged: the office holds it)', () => {
    expect(shownAs(a('photo', 'image/jpeg', false))).toBe('file')
  })
})
