// A record's attachments on screen: what each is, and how its bytes reach the
// window. A photo's bytes become an object URL that lives only in this window's
// memory (revoked when the screen closes). A video or recording is played from the
// store a range at a time by the shell's media server on the loopback (WebKitGTK
// plays only http: and blob: sources), never whole in memory and never in a file.
// Photos and a video's still start blurred; nothing plays by itself.

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

/** The shell's media server with its secret (`http://127.0.0.1:<port>/<secret>`); only while unlocked. */
export function mediaSource(): Promise<string> {
  return call<string>('media_source')
}

/** Where a `<video>` or `<audio>` reads an attachment from, a range at a time ('' until the server is known). */
export function mediaSrc(base: string, a: Pick<AttachmentInfo, 'id'>): string {
  return base ? `${base}/${encodeURIComponent(a.id)}` : ''
}

/** Where in a video its still is taken: a quarter in (a first frame is often black), at most 1 s. */
export function stillTime(duration: number): number {
  if (!Number.isFinite(duration) || duration <= 0) return 0
  return Math.min(1, duration / 4)
}

/** A still's size: the video's own, scaled down to fit `max` pixels on its longer side. */
export function stillSize(width: number, height: number, max = 480): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: 0, height: 0 }
  const scale = Math.min(1, max / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** How drawing a still went: drawn, or this window cannot decode the video (no codec, damaged, refused). */
export type Still = 'drawn' | 'unplayable'

/** The parts of a `<video>` that drawing a still uses (so tests can give a stand-in). */
export interface StillSource {
  crossOrigin: string | null
  muted: boolean
  preload: string
  src: string
  currentTime: number
  readonly duration: number
  readonly videoWidth: number
  readonly videoHeight: number
  readonly readyState: number
  canPlayType(type: string): string
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void
  removeAttribute(name: string): void
  load(): void
}

/**
 * Draws one still of the video at `src` onto `canvas`, then lets the video go (its
 * player is released; nothing else is kept). Never plays it, and it is muted. Resolves
 * 'unplayable' when this window has no decoder for `mediaType`, on any error, or after
 * `timeoutMs`. The canvas is readable by this page only (the protocol answers CORS for
 * the app's own origin), so a test can check what was drawn.
 */
export function drawStill(
  src: string,
  mediaType: string,
  canvas: HTMLCanvasElement,
  timeoutMs = 15000,
  video: StillSource = document.createElement('video'),
): Promise<Still> {
  if (video.canPlayType(mediaType) === '') return Promise.resolve('unplayable')
  video.crossOrigin = 'anonymous'
  video.muted = true
  video.preload = 'metadata'
  return new Promise((resolve) => {
    let done = false
    const finish = (result: Still) => {
      if (done) return
      done = true
      clearTimeout(timer)
      video.removeAttribute('src')
      video.load() // releases the player and its buffers
      resolve(result)
    }
    const timer = setTimeout(() => finish('unplayable'), timeoutMs)
    const draw = () => {
      const size = stillSize(video.videoWidth, video.videoHeight)
      const context = size.width ? canvas.getContext('2d') : null
      if (!context) return finish('unplayable')
      canvas.width = size.width
      canvas.height = size.height
      try {
        context.drawImage(video as unknown as HTMLVideoElement, 0, 0, size.width, size.height)
      } catch {
        return finish('unplayable')
      }
      finish('drawn')
    }
    video.addEventListener('error', () => finish('unplayable'), { once: true })
    video.addEventListener('loadedmetadata', () => (video.currentTime = stillTime(video.duration)), { once: true })
    video.addEventListener(
      'seeked',
      () => {
        // HAVE_CURRENT_DATA: the frame at the new time is there to draw.
        if (video.readyState >= 2) draw()
        else video.addEventListener('loadeddata', draw, { once: true })
      },
      { once: true },
    )
    video.src = src
  })
}
