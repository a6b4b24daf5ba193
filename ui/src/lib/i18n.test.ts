import { describe, expect, it } from 'vitest'
import { get } from 'svelte/store'
import { ERROR_CODES } from './backend'
import { LANGS, errorKey, kindKey, lang, readLang, setLang, t, tables, translate } from './i18n'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('translation tables', () => {
  it('have the same keys in English and Khmer', () => {
    expect(Object.keys(tables.km).sort()).toEqual(Object.keys(tables.en).sort())
  })

  it('have no empty text and the same placeholders in every language', () => {
    for (const key of Object.keys(tables.en) as (keyof typeof tables.en)[]) {
      for (const l of LANGS) {
        expect(tables[l][key].trim(), `${l} ${key}`).not.toBe('')
        expect(placeholders(tables[l][key]), `${l} ${key}`).toEqual(placeholders(tables.en[key]))
      }
    }
  })

  it('have a sentence for every backend error code and record kind', () => {
    for (const code of ERROR_CODES) expect(tables.en).toHaveProperty(errorKey(code))
    for (const kind of ['person', 'establishment', 'visit', 'interview', 'case', 'referral', 'attachment'] as const)
      expect(tables.en).toHaveProperty(kindKey(kind))
  })

  it('really is Khmer in the Khmer table', () => {
    expect(tables.km['unlock.submit']).toMatch(/[\u1780-\u17FF]/)
  })
})

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'home.autoLock', { minutes: 5 })).toBe(
      'Fieldcase locks itself after 5 min without use (Settings).',
    )
    expect(translate('km', 'home.autoLock', { minutes: 5 })).toContain('5')
  })

  it('switches at runtime', () => {
    setLang('km')
    expect(get(lang)).toBe('km')
    expect(get(t)('unlock.submit')).toBe(tables.km['unlock.submit'])
    setLang('en')
    expect(get(t)('unlock.submit')).toBe('Unlock')
  })
})

describe('the remembered language', () => {
  const memory = () => {
    const items = new Map<string, string>()
    return {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
    }
  }

  it('is read back after a restart, and English when nothing (or nonsense) is stored', () => {
    const storage = memory()
    expect(readLang(storage)).toBe('en')
    setLang('km', storage)
    expect(get(lang)).toBe('km')
    // A restart reads the choice afresh from storage.
    expect(readLang(storage)).toBe('km')
    storage.setItem('fieldcase.lang', 'fr')
    expect(readLang(storage)).toBe('en')
    expect(readLang(undefined)).toBe('en')
    setLang('en', storage)
  })

  it('ignores an unknown language, so the top bar and Settings never disagree', () => {
    const storage = memory()
    setLang('km', storage)
    setLang('fr', storage)
    expect(get(lang)).toBe('km')
    expect(readLang(storage)).toBe('km')
    setLang('en', storage)
  })
})
