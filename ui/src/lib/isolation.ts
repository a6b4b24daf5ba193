// The window's side of the isolation page (ui/isolation/hook.js). The hook refuses an IPC
// message by throwing inside its frame, where the caller's promise cannot be reached; it
// posts the refusal here so the call rejects (as a plain string, which call() turns into an
// `internal` BackendError) instead of waiting forever. Only the isolation frame is listened
// to. This is a courtesy to the UI, not a guard: the refused message already went nowhere.

/** Tauri's frame for the isolation page (its id is Tauri's, in its isolation.js). */
const FRAME = 'iframe#__tauri_isolation__'

/** What the hook posts when it refuses a message. */
export interface Refusal {
  error: number
  reason: string
}

/** The refusal in a message event's data, or null if it is not one. */
export function refusalIn(data: unknown): Refusal | null {
  if (typeof data !== 'object' || data === null) return null
  const refused = (data as { fieldcaseRefused?: unknown }).fieldcaseRefused
  if (typeof refused !== 'object' || refused === null) return null
  const { error, reason } = refused as { error?: unknown; reason?: unknown }
  if (!Number.isInteger(error) || typeof reason !== 'string') return null
  return { error: error as number, reason }
}

interface TauriInternals {
  runCallback(id: number, data: unknown): void
}

/** Rejects each call the isolation page refuses. Call once, before the first command. */
export function rejectRefusedCalls(win: Window = window): void {
  win.addEventListener('message', (event: MessageEvent) => {
    const frame = win.document.querySelector<HTMLIFrameElement>(FRAME)
    if (frame === null || event.source !== frame.contentWindow) return
    const refused = refusalIn(event.data)
    if (refused === null) return
    const internals = (win as unknown as { __TAURI_INTERNALS__?: TauriInternals }).__TAURI_INTERNALS__
    internals?.runCallback(refused.error, `refused by the isolation page: ${refused.reason}`)
  })
}
