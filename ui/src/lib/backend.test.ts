import { beforeEach, describe, expect, it, vi } from 'vitest'

const invoke = vi.fn()
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }))

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
    await backend.createProfile('correct horse battery', 'Team 2 laptop')
    expect(invoke).toHaveBeenCalledWith('create_profile', {
      passphrase: 'correct horse battery',
      deviceName: 'Team 2 laptop',
    })
  })

  it('returns what the command returns', async () => {
    invoke.mockResolvedValue({ profile_exists: true, unlocked: false })
    await expect(backend.appStatus()).resolves.toEqual({ profile_exists: true, unlocked: false })
  })
})
