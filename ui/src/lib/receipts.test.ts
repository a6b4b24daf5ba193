import { describe, expect, it } from 'vitest'
import { receiptFileName } from './receipts'

describe('receipt file names', () => {
  it('keep letters and digits of the device name, in any script', () => {
    expect(receiptFileName('Team 2 laptop', 3)).toBe('fieldcase-receipt-Team-2-laptop-3.json')
    expect(receiptFileName('កុំព្យូទ័រ ក្រុម២', 12)).toBe('fieldcase-receipt-កុំព្យូទ័រ-ក្រុម២-12.json')
  })

  it('never make a path out of the name', () => {
    expect(receiptFileName('../../etc/passwd', 1)).toBe('fieldcase-receipt-etc-passwd-1.json')
    expect(receiptFileName('///', 1)).toBe('fieldcase-receipt-device-1.json')
  })
})
