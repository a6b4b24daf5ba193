// A plain passphrase strength estimate for the first-run meter: length first
// (it matters most), a step up for mixing kinds of characters, a step down for
// long runs of one character. 0 = too short (refused), 1 weak, 2 fair, 3 strong.

import { MIN_PASSPHRASE_CHARS } from './config'

export type Strength = 0 | 1 | 2 | 3

/** Characters as a person counts them (code points, so Khmer counts fairly). */
export function charCount(text: string): number {
  return Array.from(text).length
}

export function strength(passphrase: string): Strength {
  const chars = Array.from(passphrase)
  if (chars.length < MIN_PASSPHRASE_CHARS) return 0
  let score = chars.length >= 20 ? 3 : chars.length >= 14 ? 2 : 1
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[\p{P}\p{S}\s]/u, /[^\p{Script=Latin}\p{N}\p{P}\p{S}\s]/u]
    .filter((re) => re.test(passphrase)).length
  if (kinds >= 3) score += 1
  if (new Set(chars).size <= Math.max(3, chars.length / 4)) score -= 1
  return Math.max(1, Math.min(3, score)) as Strength
}
