import { describe, expect, it } from 'vitest'
import { drawStill, mediaSrc, shownAs, stillSize, stillTime, type AttachmentInfo } from './media'

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

describe('stills of a video', () => {
  it('are taken a quarter in, at most a second, and at 0 when the length is unknown', () => {
    expect(stillTime(1)).toBe(0.25)
    expect(stillTime(600)).toBe(1)
    expect(stillTime(Number.NaN)).toBe(0)
    expect(stillTime(Number.POSITIVE_INFINITY)).toBe(0)
    expect(stillTime(0)).toBe(0)
  })
  it('fit 480 pixels on the longer side and are never enlarged', () => {
    expect(stillSize(1920, 1080)).toEqual({ width: 480, height: 270 })
    expect(stillSize(1080, 1920)).toEqual({ width: 270, height: 480 })
    expect(stillSize(160, 120)).toEqual({ width: 160, height: 120 })
    expect(stillSize(0, 0)).toEqual({ width: 0, height: 0 })
  })
})

/** A stand-in for a <video>: records what drawStill does and fires events on demand. */
class FakeVideo {
  crossOrigin: string | null = null
  muted = false
  preload = 'auto'
  src = ''
  currentTime = 0
  duration = 2
  videoWidth = 160
  videoHeight = 120
  readyState = 4
  released = false
  playable = 'maybe'
  listeners: Record<string, Array<() => void>> = {}
  canPlayType() {
    return this.playable
  }
  addEventListener(type: string, listener: () => void) {
    ;(this.listeners[type] ??= []).push(listener)
  }
  fire(type: string) {
    const now = this.listeners[type] ?? []
    this.listeners[type] = []
    for (const l of now) l()
  }
  removeAttribute(name: string) {
    if (name === 'src') this.src = ''
  }
  load() {
    this.released = this.src === ''
  }
}

function fakeCanvas() {
  const drawn: unknown[][] = []
  const canvas = { width: 0, height: 0, getContext: () => ({ drawImage: (...args: unknown[]) => drawn.push(args) }) }
  return { canvas: canvas as unknown as HTMLCanvasElement, drawn }
}

describe('drawStill', () => {
  it('seeks, draws one frame muted and never plays, then lets the video go', async () => {
    const video = new FakeVideo()
    const { canvas, drawn } = fakeCanvas()
    const still = drawStill('http://127.0.0.1:1/s/x', 'video/webm', canvas, 1000, video)
    expect(video.src).toBe('http://127.0.0.1:1/s/x')
    expect([video.muted, video.preload, video.crossOrigin]).toEqual([true, 'metadata', 'anonymous'])
    video.fire('loadedmetadata')
    expect(video.currentTime).toBe(0.5)
    video.fire('seeked')
    expect(await still).toBe('drawn')
    expect(drawn).toHaveLength(1)
    expect([canvas.width, canvas.height]).toEqual([160, 120])
    expect(video.released).toBe(true)
  })
  it('waits for the frame when the seek ends before it is decoded', async () => {
    const video = new FakeVideo()
    video.readyState = 1
    const { canvas, drawn } = fakeCanvas()
    const still = drawStill('u', 'video/webm', canvas, 1000, video)
    video.fire('loadedmetadata')
    video.fire('seeked')
    expect(drawn).toHaveLength(0)
    video.fire('loadeddata')
    expect(await still).toBe('drawn')
  })
  it('says unplayable without a decoder, on an error, with no picture, or after the time limit', async () => {
    const none = new FakeVideo()
    none.playable = ''
    expect(await drawStill('u', 'video/x-unknown', fakeCanvas().canvas, 1000, none)).toBe('unplayable')
    expect(none.src).toBe('')

    const broken = new FakeVideo()
    const a = drawStill('u', 'video/webm', fakeCanvas().canvas, 1000, broken)
    broken.fire('error')
    expect(await a).toBe('unplayable')
    expect(broken.released).toBe(true)

    const blind = new FakeVideo()
    blind.videoWidth = 0
    const b = drawStill('u', 'video/webm', fakeCanvas().canvas, 1000, blind)
    blind.fire('loadedmetadata')
    blind.fire('seeked')
    expect(await b).toBe('unplayable')

    const stuck = new FakeVideo()
    expect(await drawStill('u', 'video/webm', fakeCanvas().canvas, 10, stuck)).toBe('unplayable')
    expect(stuck.released).toBe(true)
  })
})

describe('mediaSrc', () => {
  it('names the attachment under the media server and its secret, and nothing before it is known', () => {
    const base = 'http://127.0.0.1:41234/' + 'ab'.repeat(32)
    expect(mediaSrc(base, { id: '0195f3a0-0000-7000-8000-000000000001' })).toBe(
      `${base}/0195f3a0-0000-7000-8000-000000000001`,
    )
    expect(mediaSrc('', { id: 'x' })).toBe('')
  })
})
