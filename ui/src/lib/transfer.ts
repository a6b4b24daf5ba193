// Small pure helpers for the Export, Import and Settings screens: sizes, time
// left, the suggested bundle name, and the shape checks that catch a mistyped
// key before the shell does (the core checks again; these only help).

/** A byte count for people: 0 B, 512 B, 1.5 KB, 12 MB, 1.2 GB (powers of 1000, as file managers show). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?'
  if (bytes < 1000) return `${Math.round(bytes)} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  const text = value < 10 ? value.toFixed(1) : String(Math.round(value))
  return `${text} ${units[unit]}`
}

/** Seconds left, from the rate so far; null until there is enough to judge (1 % or half a second). */
export function secondsLeft(done: number, total: number, elapsedMs: number): number | null {
  if (total <= 0 || done <= 0 || elapsedMs < 500 || done / total < 0.01) return null
  if (done >= total) return 0
  const rate = done / elapsedMs
  return Math.ceil((total - done) / rate / 1000)
}

/** "45 s", "3 min", "1 h 5 min": rounded the way a person would say it. */
export function formatDuration(seconds: number): { key: 'time.seconds' | 'time.minutes' | 'time.hours'; params: Record<string, number> } {
  if (seconds < 60) return { key: 'time.seconds', params: { n: Math.max(1, Math.ceil(seconds)) } }
  if (seconds < 3600) return { key: 'time.minutes', params: { n: Math.ceil(seconds / 60) } }
  const h = Math.floor(seconds / 3600)
  return { key: 'time.hours', params: { h, m: Math.ceil((seconds - h * 3600) / 60) } }
}

/** Share done, 0 to 1. */
export function fraction(done: number, total: number): number {
  if (total <= 0) return 0
  return Math.min(1, Math.max(0, done / total))
}

const pad = (n: number) => String(n).padStart(2, '0')

/** The suggested file name: `fieldcase-2026-12-01-0815.fcb`, local time, so two exports a day differ. */
export function bundleFileName(now: Date): string {
  return `fieldcase-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}.fcb`
}

/** `name` inside `folder`, with the folder's own separator. */
export function joinPath(folder: string, name: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/'
  return folder.endsWith(sep) ? folder + name : folder + sep + name
}

/** The last part of a path (the file name). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] || path
}

/** One path per line; blank lines dropped, surrounding spaces trimmed, duplicates once. */
export function splitPaths(text: string): string[] {
  const seen = new Set<string>()
  for (const line of text.split(/\r?\n/)) {
    const p = line.trim()
    if (p) seen.add(p)
  }
  return [...seen]
}

/** Whether `text` looks like an age X25519 recipient: `age1` and 58 bech32 characters. */
export function isAgeRecipient(text: string): boolean {
  return /^age1[02-9ac-hj-np-z]{58}$/.test(text.trim())
}

/** The key line of a minisign public key pasted alone or as its two-line file. */
export function minisignKeyLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('untrusted comment:'))
  return lines[lines.length - 1] ?? ''
}

/** Whether `text` looks like a minisign Ed25519 public key (base64 of 42 bytes, starting `RW`). */
export function isMinisignKey(text: string): boolean {
  return /^RW[A-Za-z0-9+/]{54}$/.test(minisignKeyLine(text))
}

/** A long hex hash, shortened for reading aloud: the first 16 digits in groups of 4. */
export function shortHash(hex: string): string {
  return (hex.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ').toUpperCase()
}

/** What an import's gaps say, as translation keys (the bundle imported before is said apart). */
export function gapNotes(gaps: {
  missing: number[]
  out_of_order: boolean
  previous_mismatch: boolean
}): { key: 'import.missing' | 'import.outOfOrder' | 'import.previousMismatch'; params: Record<string, string> }[] {
  const notes: ReturnType<typeof gapNotes> = []
  if (gaps.missing.length > 0) notes.push({ key: 'import.missing', params: { list: gaps.missing.join(', ') } })
  if (gaps.out_of_order) notes.push({ key: 'import.outOfOrder', params: {} })
  if (gaps.previous_mismatch) notes.push({ key: 'import.previousMismatch', params: {} })
  return notes
}

/**
 * Part of a file name made from what a person typed (a device name, a case code): letters,
 * digits and dashes of any script, never a folder, at most `max` characters; `fallback` when
 * nothing is left.
 */
export function fileNamePart(text: string, max: number, fallback: string): string {
  const safe = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
  return safe || fallback
}
