import { describe, expect, it, vi } from 'vitest'

// The plugin's functions call into Tauri; the tests pass their own instead.
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: vi.fn(), save: vi.fn() }))

import { addPaths, BUNDLE_FILTER, chooseBundles, chooseBundleTarget, chooseFile, type Dialogs } from './pickers'

function dialogs(openResult: unknown, saveResult: unknown = null) {
  const d = {
    open: vi.fn(async () => openResult),
    save: vi.fn(async () => saveResult),
  }
  return d as unknown as Dialogs & typeof d
}

describe('the file pickers', () => {
  it('attach one file (Khmer names too), or nothing when closed', async () => {
    const d = dialogs('/home/sw/រូបថត ហាង.jpg')
    expect(await chooseFile('Choose a file', d)).toBe('/home/sw/រូបថត ហាង.jpg')
    expect(d.open).toHaveBeenCalledWith({ title: 'Choose a file', multiple: false, directory: false })
    expect(await chooseFile('x', dialogs(null))).toBeNull()
  })

  it('import several bundles, filtered to .fcb first', async () => {
    const d = dialogs(['/media/usb/a.fcb', '/media/usb/b.fcb'])
    expect(await chooseBundles('Choose bundles', d)).toEqual(['/media/usb/a.fcb', '/media/usb/b.fcb'])
    expect(d.open.mock.calls[0]).toEqual([expect.objectContaining({ multiple: true, filters: expect.arrayContaining([BUNDLE_FILTER]) })])
    expect(await chooseBundles('x', dialogs(null))).toEqual([])
    expect(await chooseBundles('x', dialogs('/one.fcb'))).toEqual(['/one.fcb'])
  })

  it('export to a chosen file, starting from the suggestion when it is a full path', async () => {
    const d = dialogs(null, '/media/usb/fieldcase-2026-12-01.fcb')
    expect(await chooseBundleTarget('Save the bundle', '/home/sw/fieldcase-x.fcb', d)).toBe('/media/usb/fieldcase-2026-12-01.fcb')
    expect(d.save).toHaveBeenCalledWith({ title: 'Save the bundle', defaultPath: '/home/sw/fieldcase-x.fcb', filters: [BUNDLE_FILTER] })
    // A `~/` suggestion means the home folder was not known: the dialog picks its own start.
    const tilde = dialogs(null, null)
    expect(await chooseBundleTarget('x', '~/fieldcase-x.fcb', tilde)).toBeNull()
    expect(tilde.save.mock.calls[0]).toEqual([expect.objectContaining({ defaultPath: undefined })])
  })

  it('adds chosen paths to the import field, one a line, none twice', () => {
    expect(addPaths('', ['/a.fcb'])).toBe('/a.fcb')
    expect(addPaths('/a.fcb\n\n  ', ['/b.fcb', '/a.fcb'])).toBe('/a.fcb\n/b.fcb')
    expect(addPaths('/ក.fcb', [])).toBe('/ក.fcb')
  })
})
