// Actions that a minute at an unlocked laptop must not be enough for (trusting a key, adding an
// office key, purging, a partner export with identities, a lowered small-cell threshold) need
// the passphrase typed again. The shell decides which: it answers `passphrase_needed`, the
// wrapper asks through the one dialog (ConfirmPassphrase.svelte, in App), and calls again with
// it. A wrong passphrase asks again; Cancel rejects with `Cancelled`, which screens ignore.

import { writable } from 'svelte/store'
import { BackendError } from './backend'

/** The person chose Cancel in the passphrase dialog: nothing was done. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled')
    this.name = 'Cancelled'
  }
}

export function isCancelled(e: unknown): e is Cancelled {
  return e instanceof Cancelled
}

/** What the dialog shows and answers. */
export interface PassphraseRequest {
  /** The last passphrase typed did not open the profile. */
  wrong: boolean
  /** The typed passphrase is being checked. */
  checking: boolean
  answer(passphrase: string): void
  cancel(): void
}

/** The open request, if any (the dialog shows while it is set). */
export const passphraseRequest = writable<PassphraseRequest | null>(null)

let current: PassphraseRequest | null = null

function ask(wrong: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const request: PassphraseRequest = {
      wrong,
      checking: false,
      answer(passphrase) {
        passphraseRequest.set({ ...request, wrong: false, checking: true })
        resolve(passphrase)
      },
      cancel() {
        close()
        reject(new Cancelled())
      },
    }
    current = request
    passphraseRequest.set(request)
  })
}

function close() {
  current = null
  passphraseRequest.set(null)
}

/** A lock came: the dialog goes with everything else, and its action is cancelled. */
export function cancelPassphraseRequest(): void {
  current?.cancel()
}

function needsPassphrase(e: unknown): boolean {
  return e instanceof BackendError && e.code === 'passphrase_needed'
}

function wrongPassphrase(e: unknown): boolean {
  return e instanceof BackendError && e.code === 'wrong_passphrase'
}

/** Runs `run` without a passphrase; if the shell wants one, asks for it and runs again. */
export async function withPassphrase<T>(run: (passphrase: string | null) => Promise<T>): Promise<T> {
  try {
    return await run(null)
  } catch (e) {
    if (!needsPassphrase(e)) throw e
  }
  let wrong = false
  for (;;) {
    const passphrase = await ask(wrong)
    try {
      const result = await run(passphrase)
      close()
      return result
    } catch (e) {
      if (wrongPassphrase(e)) {
        wrong = true
        continue
      }
      close()
      throw e
    }
  }
}
