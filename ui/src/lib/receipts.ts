// Receipts and purge: typed wrappers for src-tauri/src/receipts.rs, and the
// receipt file name the office screen suggests (tested in receipts.test.ts).

import { call } from './backend'
import { withPassphrase } from './reauth'
import { fileNamePart } from './transfer'

/** What writing or reading a receipt did. */
export interface ReceiptSummary {
  bundle_id: string
  sequence: number
  revisions: number
  attachments: number
  /** The office, by name. */
  office: string
  /** The receipt file, when one was written. */
  path: string | null
}

/** What a purge removed. */
export interface PurgeSummary {
  revisions: number
  records: number
  identities: number
  attachments: number
  attachment_bytes: number
}

/** Office: a signed receipt for an imported bundle, written to `path` (which must not exist). */
export function writeReceipt(bundleId: string, path: string): Promise<ReceiptSummary> {
  return call<ReceiptSummary>('write_receipt', { bundleId, path })
}

/** Laptop: reads the office's receipt; what it lists is then acknowledged. */
export function importReceipt(path: string): Promise<ReceiptSummary> {
  return call<ReceiptSummary>('import_receipt', { path })
}

/** Laptop: removes what the office acknowledged holding, leaving stubs. Asks for the
 * passphrase again; rejects with `Cancelled` if cancelled. */
export function purgeAcknowledged(): Promise<PurgeSummary> {
  return withPassphrase((passphrase) => call<PurgeSummary>('purge_acknowledged', { passphrase }))
}

/**
 * The receipt's file name for a device's bundle: the device name kept to letters, digits and
 * dashes (any script), so the file is easy to find and safe on every file system.
 */
export function receiptFileName(device: string, sequence: number): string {
  return `fieldcase-receipt-${fileNamePart(device, 40, 'device')}-${sequence}.json`
}
