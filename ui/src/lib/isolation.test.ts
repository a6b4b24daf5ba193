import { describe, expect, it, vi } from 'vitest'
import commands from '../../isolation/commands.js?raw'
import hookSource from '../../isolation/hook.js?raw'
import { refusalIn } from './isolation'

// The isolation page's two scripts, run as the frame runs them (one global scope).
const page = `${commands}\n${hookSource}`

type Hook = (message: Record<string, unknown>) => Record<string, unknown>

function frame() {
  const posted: unknown[] = []
  const win = { parent: { postMessage: vi.fn((m: unknown) => posted.push(m)) } }
  const hook = new Function('window', `${page}\nreturn window.__TAURI_ISOLATION_HOOK__`)(win) as Hook
  return { hook, posted }
}

const ID = '01938f2e-7c4a-7b7e-9d1a-3f5e2c8b9a10'
const msg = (cmd: string, payload: unknown, extra: Record<string, unknown> = {}) => ({
  cmd,
  callback: 11,
  error: 12,
  payload,
  ...extra,
})

describe('the isolation hook', () => {
  it('lets the UI’s messages through, marked with their command', () => {
    const { hook } = frame()
    const out = hook(msg('export_bundle', { path: '~/bundle.fcb', all: false, onProgress: '__CHANNEL__:3' }))
    expect(out.payload).toEqual({
      path: '~/bundle.fcb',
      all: false,
      onProgress: '__CHANNEL__:3',
      __isolationChecked: 'export_bundle',
    })
    expect(hook(msg('app_status', {})).payload).toEqual({ __isolationChecked: 'app_status' })
    expect(hook(msg('add_person', { pseudonym: 'សុខា' })).payload).toMatchObject({ pseudonym: 'សុខា' })
    // Optional arguments may be absent or null.
    expect(() => hook(msg('list_cases', { limit: 50 }))).not.toThrow()
    expect(() => hook(msg('list_cases', { after: null, limit: 50 }))).not.toThrow()
    expect(() => hook(msg('save_case', { id: ID, body: { title: 'Case 17' } }))).not.toThrow()
  })

  it('lets the file pickers and the channel fetch through unmarked', () => {
    const { hook } = frame()
    const open = hook(msg('plugin:dialog|open', { options: { title: 'Attach', multiple: false } }))
    expect(open.payload).toEqual({ options: { title: 'Attach', multiple: false } })
    const fetch = msg('plugin:__TAURI_CHANNEL__|fetch', null, { options: { headers: { 'Tauri-Channel-Id': '7' } } })
    expect(hook(fetch)).toBe(fetch)
  })

  it.each([
    ['an unknown command', msg('delete_everything', {}), 'unknown command "delete_everything"'],
    ['a plugin command not granted', msg('plugin:fs|read_file', { path: '/etc/passwd' }), 'unknown command'],
    ['an inherited name', msg('__proto__', {}), 'unknown command'],
    ['an extra argument', msg('add_person', { pseudonym: 'Dara', role: 'admin' }), 'unexpected argument "role"'],
    ['a missing argument', msg('unlock', {}), 'passphrase must be string'],
    ['a number for a text', msg('unlock', { passphrase: 42 }), 'passphrase must be string'],
    ['a bad id', msg('load_case', { id: 'not-an-id' }), 'id must be uuid'],
    ['a negative page size', msg('list_cases', { limit: -1 }), 'limit must be uint'],
    ['a fraction', msg('search_records', { query: 'x', offset: 1.5 }), 'offset must be uint'],
    ['a text for a channel', msg('import_bundle', { path: 'x', onProgress: 'progress' }), 'onProgress must be channel'],
    ['an array for a body', msg('save_case', { body: [] }), 'body must be object'],
    ['raw bytes', msg('unlock', new Uint8Array([1, 2])), 'the arguments are not an object'],
    ['request headers', msg('lock', {}, { options: { headers: { 'Tauri-Invoke-Key': 'x' } } }), 'no request options'],
    [
      'a channel fetch with more headers',
      msg('plugin:__TAURI_CHANNEL__|fetch', null, { options: { headers: { 'Tauri-Channel-Id': '7', X: '1' } } }),
      'only its header',
    ],
    ['a channel fetch with arguments', msg('plugin:__TAURI_CHANNEL__|fetch', { a: 1 }), 'no arguments'],
  ])('refuses %s, and says so to the window', (_what, message, why) => {
    const { hook, posted } = frame()
    expect(() => hook(message)).toThrow(why)
    expect(posted).toHaveLength(1)
    expect(refusalIn(posted[0])).toEqual({ error: 12, reason: expect.stringContaining(why) })
  })

  it('never names an argument’s value in a refusal', () => {
    const { hook, posted } = frame()
    expect(() => hook(msg('unlock', { passphrase: 'river lantern', extra: 'secret' }))).toThrow()
    expect(JSON.stringify(posted)).not.toContain('river lantern')
    expect(JSON.stringify(posted)).not.toContain('secret')
  })
})

describe('refusalIn', () => {
  it('reads only the hook’s refusals', () => {
    expect(refusalIn({ fieldcaseRefused: { error: 4, reason: 'lock: no request options' } })).toEqual({
      error: 4,
      reason: 'lock: no request options',
    })
    expect(refusalIn('__TAURI_ISOLATION_READY__')).toBeNull()
    expect(refusalIn({ fieldcaseRefused: { error: '4', reason: 'x' } })).toBeNull()
    expect(refusalIn({ cmd: 'lock', payload: { nonce: [] } })).toBeNull()
    expect(refusalIn(null)).toBeNull()
  })
})
