import { beforeEach, describe, expect, it, vi } from 'vitest'

const invoke = vi.fn()
class FakeChannel {
  onmessage: (message: unknown) => void = () => {}
}
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: FakeChannel,
}))

const backend = await import('./backend')

describe('backend wrapper', () => {
  beforeEach(() => {
    invoke.mockReset()
  })

  it('maps the shell error {code, message} to a BackendError', async () => {
    invoke.mockImplementation(async () => {
      throw { code: 'wrong_passphrase', message: 'the passphrase is wrong for this profile' }
    })
    const err = await backend.unlock('not it').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(backend.BackendError)
    const { code, message } = err as InstanceType<typeof backend.BackendError>
    expect({ code, message }).toEqual({ code: 'wrong_passphrase', message: 'the passphrase is wrong for this profile' })
  })

  it('maps a refusal from Tauri itself (a plain string) to internal', async () => {
    invoke.mockImplementation(async () => {
      throw 'Command record_counts not allowed by ACL'
    })
    const err = (await backend.recordCounts().catch((e: unknown) => e)) as InstanceType<typeof backend.BackendError>
    expect([err.code, err.message]).toEqual(['internal', 'Command record_counts not allowed by ACL'])
  })

  it('never passes an unknown code through', () => {
    expect(backend.toBackendError({ code: 'format_disk', message: 'x' }).code).toBe('internal')
    expect(backend.toBackendError(null).code).toBe('internal')
  })

  it('sends camelCase arguments to the snake_case command', async () => {
    invoke.mockResolvedValue(undefined)
    await backend.createProfile('correct horse battery', 'Team 2 laptop', 'office')
    expect(invoke).toHaveBeenCalledWith('create_profile', {
      passphrase: 'correct horse battery',
      deviceName: 'Team 2 laptop',
      role: 'office',
    })
  })

  it("passes progress from the command's channel to the callback", async () => {
    invoke.mockImplementation(async (_cmd: string, args: { onProgress: FakeChannel }) => {
      args.onProgress.onmessage({ stage: 'export', done: 5, total: 10 })
      return { path: '/tmp/b.fcb' }
    })
    const seen: unknown[] = []
    const summary = await backend.exportBundle('~/b.fcb', false, (p) => seen.push(p))
    expect(summary.path).toBe('/tmp/b.fcb')
    expect(seen).toEqual([{ stage: 'export', done: 5, total: 10 }])
    expect(invoke).toHaveBeenCalledWith(
      'export_bundle',
      expect.objectContaining({ path: '~/b.fcb', all: false }),
    )
  })

  it('knows the bundle error codes', () => {
    for (const code of ['no_recipient', 'untrusted', 'bundle_refused', 'file_exists', 'busy'])
      expect(backend.toBackendError({ code, message: '' }).code).toBe(code)
  })

  it('returns what the command returns', async () => {
    invoke.mockResolvedValue({ profile_exists: true, unlocked: false })
    await expect(backend.appStatus()).resolves.toEqual({ profile_exists: true, unlocked: false })
  })
})
