import { get } from 'svelte/store'
import { describe, expect, it, vi } from 'vitest'
import { BackendError } from './backend'
import { cancelPassphraseRequest, isCancelled, passphraseRequest, withPassphrase } from './reauth'

const needed = () => new BackendError('passphrase_needed', 'trusting a key needs the passphrase typed again')
const wrong = () => new BackendError('wrong_passphrase', 'the passphrase is wrong for this profile')

/** Waits until the dialog shows, then answers it. */
async function answer(passphrase: string) {
  await vi.waitFor(() => expect(get(passphraseRequest)?.checking).toBe(false))
  get(passphraseRequest)?.answer(passphrase)
}

describe('the passphrase typed again', () => {
  it('asks nothing when the shell wants nothing', async () => {
    const run = vi.fn(async () => 'done')
    await expect(withPassphrase(run)).resolves.toBe('done')
    expect(run).toHaveBeenCalledExactlyOnceWith(null)
    expect(get(passphraseRequest)).toBeNull()
  })

  it('asks when the shell says so, again after a wrong one, and closes when done', async () => {
    const seen: (string | null)[] = []
    const run = async (p: string | null) => {
      seen.push(p)
      if (p === null) throw needed()
      if (p !== 'ទន្លេ river lantern') throw wrong()
      return 7
    }
    const result = withPassphrase(run)
    await answer('not it')
    await vi.waitFor(() => expect(get(passphraseRequest)?.wrong).toBe(true))
    await answer('ទន្លេ river lantern')
    await expect(result).resolves.toBe(7)
    expect(seen).toEqual([null, 'not it', 'ទន្លេ river lantern'])
    expect(get(passphraseRequest)).toBeNull()
  })

  it('Cancel (or a lock) does nothing and says so to the screen', async () => {
    const run = vi.fn(async (p: string | null) => {
      if (p === null) throw needed()
      return 'should not run'
    })
    const result = withPassphrase(run)
    await vi.waitFor(() => expect(get(passphraseRequest)).not.toBeNull())
    cancelPassphraseRequest()
    const e = await result.catch((x) => x)
    expect(isCancelled(e)).toBe(true)
    expect(run).toHaveBeenCalledTimes(1)
    expect(get(passphraseRequest)).toBeNull()
  })

  it('another failure closes the dialog and reaches the screen', async () => {
    const run = async (p: string | null) => {
      if (p === null) throw needed()
      throw new BackendError('invalid', 'public_key: not a minisign key')
    }
    const result = withPassphrase(run)
    await answer('river lantern copper 42')
    const e = await result.catch((x) => x)
    expect(e).toBeInstanceOf(BackendError)
    expect((e as BackendError).code).toBe('invalid')
    expect(get(passphraseRequest)).toBeNull()
  })
})
