import { describe, expect, it } from 'vitest'
import { mergeBody, pointerKeys, showValue } from './merge'

describe('pointerKeys', () => {
  it('splits and unescapes RFC 6901 pointers', () => {
    expect(pointerKeys('/location/city')).toEqual(['location', 'city'])
    expect(pointerKeys('/a~1b/c~0d')).toEqual(['a/b', 'c~d'])
    expect(pointerKeys('')).toEqual([])
  })
})

describe('mergeBody', () => {
  const base = { name: 'ផ្កាយព្រឹក KTV', location: { city: 'Battambang', province: 'Battambang' }, notes: 'old' }

  it('sets each chosen value at its field and leaves the base as it was', () => {
    const merged = mergeBody(base, [
      { path: '/name', value: 'ផ្កាយព្រឹក KTV (ថ្មី)' },
      { path: '/location/city', value: 'Poipet' },
    ])
    expect(merged).toEqual({
      name: 'ផ្កាយព្រឹក KTV (ថ្មី)',
      location: { city: 'Poipet', province: 'Battambang' },
      notes: 'old',
    })
    expect(base.location.city).toBe('Battambang')
  })

  it('copies a Proxy (as Svelte state is) without refusing it', () => {
    const proxied = new Proxy(base, {})
    expect(mergeBody(proxied, [{ path: '/notes', value: 'new' }]).notes).toBe('new')
  })

  it('removes a field when the chosen version has none, and makes missing parents', () => {
    const merged = mergeBody(base, [
      { path: '/notes', value: null },
      { path: '/team/lead', value: 'INV-02' },
    ])
    expect('notes' in merged).toBe(false)
    expect(merged.team).toEqual({ lead: 'INV-02' })
  })

  it('shows values as one line', () => {
    expect(showValue('ស្រីមុំ')).toBe('ស្រីមុំ')
    expect(showValue(null)).toBe('')
    expect(showValue(['a', 2])).toBe('["a",2]')
  })
})
