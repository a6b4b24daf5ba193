// The native file pickers ("Choose…" beside the typed path fields), through Tauri's dialog
// plugin. The capability grants only its open and save dialogs; what comes back is a path
// as text, put into the same field a user could type in (the e2e tests type, since
// WebDriver cannot drive a GTK dialog). Nothing is read here: the shell's own commands
// open the file, as they do for a typed path.

import { open, save } from '@tauri-apps/plugin-dialog'

/** The dialog functions, replaceable in tests. */
export interface Dialogs {
  open: typeof open
  save: typeof save
}

const native: Dialogs = { open, save }

/** Fieldcase bundles, as the import and export pickers filter them. */
export const BUNDLE_FILTER = { name: 'Fieldcase bundle (.fcb)', extensions: ['fcb'] }

/** One file to attach, or null if the picker was closed. */
export async function chooseFile(title: string, dialogs: Dialogs = native): Promise<string | null> {
  const picked = await dialogs.open({ title, multiple: false, directory: false })
  return typeof picked === 'string' ? picked : null
}

/** Bundles to import (any number), or none if the picker was closed. */
export async function chooseBundles(title: string, dialogs: Dialogs = native): Promise<string[]> {
  const picked = await dialogs.open({
    title,
    multiple: true,
    directory: false,
    filters: [BUNDLE_FILTER, { name: '*', extensions: ['*'] }],
  })
  if (picked === null) return []
  return (Array.isArray(picked) ? picked : [picked]).filter((p): p is string => typeof p === 'string')
}

/** Where to write a bundle, starting from `suggested` (a full path), or null if closed. */
export async function chooseBundleTarget(
  title: string,
  suggested: string,
  dialogs: Dialogs = native,
): Promise<string | null> {
  const picked = await dialogs.save({
    title,
    defaultPath: suggested.startsWith('~') ? undefined : suggested || undefined,
    filters: [BUNDLE_FILTER],
  })
  return typeof picked === 'string' && picked !== '' ? picked : null
}

/** The import field's text with `chosen` added, one path a line, none twice. */
export function addPaths(text: string, chosen: string[]): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  for (const p of chosen) if (!lines.includes(p)) lines.push(p)
  return lines.join('\n')
}
