// Receipts and purge (the office writes a receipt; the laptop reads it and
// removes what the office holds): their strings in English and Khmer, merged
// into the tables of i18n.ts.
//
// The Khmer is a first draft by a non-native writer: a native speaker on the
// team must review it before field use.

export const receiptsEn = {
  'error.receipt_refused':
    'This receipt was refused; nothing on this laptop changed. Check that the office’s signing key is trusted in Settings, and that the receipt is for a bundle from this laptop.',
  'receiptKeys.officeSigning': 'This office’s signing key (for receipts)',
  'receiptKeys.officeSigningHint':
    'Give this key to each field laptop too: with it, a laptop can check that a receipt really comes from this office before it removes anything.',
  'receiptKeys.trusted': 'Offices whose receipts this laptop accepts',
  'receiptKeys.trustedNone': 'No office signing key yet: receipts are refused until the office’s key is added here.',
  'receiptKeys.trustKey': 'The office’s signing key',
  'receiptKeys.trustKeyHint': 'As the office’s Settings screen shows it (“signing key”). Check the fingerprint with the office.',
  'receiptKeys.trustName': 'Name for that office',
  'receiptKeys.trustNameHint': 'For example “Phnom Penh office”.',
  'receiptKeys.trustAdd': 'Trust this office',
  'receiptKeys.trustAdded': 'Office trusted.',
  'receiptKeys.trustNameMissing': 'Give the office a name.',
  'receiptKeys.revokeConfirm':
    'Revoke “{name}” for good? Its receipts will be refused, and it cannot be trusted again. What only its receipts acknowledged, and is still on this laptop, stays here and is sent again with the next bundle.',
  'receiptOut.open': 'Write a receipt for the laptop…',
  'receiptOut.path': 'Save the receipt as',
  'receiptOut.pathHint': 'A full path; ~/ means your home folder. Take the file back to the laptop that sent the bundle.',
  'receiptOut.write': 'Write receipt',
  'receiptOut.working': 'Writing the receipt…',
  'receiptOut.done': 'Receipt written for bundle {sequence}: {revisions} changes and {attachments} attachments held by {office}. Give this file to the laptop:',

  'receiptIn.title': 'A receipt from the office',
  'receiptIn.intro':
    'When the office has imported a bundle, it gives back a receipt. Read it here: this laptop then knows what the office holds, and can remove it.',
  'receiptIn.path': 'Receipt file',
  'receiptIn.pathHint': 'A full path; ~/ means your home folder.',
  'receiptIn.pathMissing': 'Give the path of the receipt file.',
  'receiptIn.read': 'Read receipt',
  'receiptIn.working': 'Checking the receipt…',
  'receiptIn.done': '{office} holds bundle {sequence}: {revisions} changes and {attachments} attachments.',
  'purge.title': 'Remove from this laptop what the office holds',
  'purge.intro':
    'If this laptop is lost or taken, what is no longer on it cannot be read. Records stay listed as stubs that say the office holds them.',
  'purge.start': 'Remove what the office holds…',
  'purge.confirm':
    'Remove from this laptop every record and attachment the office has acknowledged? The office keeps them; this laptop cannot show them again.',
  'purge.yes': 'Yes, remove them',
  'purge.no': 'Keep them for now',
  'purge.working': 'Removing…',
  'purge.done':
    'Removed {revisions} changes ({records} records are now stubs, {identities} identity sections) and {attachments} attachments ({size}).',
  'purge.nothing': 'Nothing to remove: the office has acknowledged nothing that is still on this laptop.',
}

export const receiptsKm: Record<keyof typeof receiptsEn, string> = {
  'error.receipt_refused':
    'បង្កាន់ដៃនេះត្រូវបានបដិសេធ គ្មានអ្វីនៅលើកុំព្យូទ័រនេះផ្លាស់ប្ដូរទេ។ សូមពិនិត្យថាសោចុះហត្ថលេខារបស់ការិយាល័យត្រូវបានទុកចិត្តនៅក្នុងការកំណត់ ហើយបង្កាន់ដៃនេះសម្រាប់កញ្ចប់ពីកុំព្យូទ័រនេះ។',
  'receiptKeys.officeSigning': 'សោចុះហត្ថលេខារបស់ការិយាល័យនេះ (សម្រាប់បង្កាន់ដៃ)',
  'receiptKeys.officeSigningHint':
    'សូមផ្ដល់សោនេះទៅកុំព្យូទ័រចុះមូលដ្ឋាននីមួយៗផងដែរ៖ ជាមួយវា កុំព្យូទ័រអាចពិនិត្យថាបង្កាន់ដៃពិតជាមកពីការិយាល័យនេះ មុនពេលលុបអ្វីមួយ។',
  'receiptKeys.trusted': 'ការិយាល័យដែលកុំព្យូទ័រនេះទទួលយកបង្កាន់ដៃ',
  'receiptKeys.trustedNone': 'មិនទាន់មានសោចុះហត្ថលេខារបស់ការិយាល័យទេ៖ បង្កាន់ដៃត្រូវបានបដិសេធ រហូតដល់សោរបស់ការិយាល័យត្រូវបានបន្ថែមនៅទីនេះ។',
  'receiptKeys.trustKey': 'សោចុះហត្ថលេខារបស់ការិយាល័យ',
  'receiptKeys.trustKeyHint': 'ដូចដែលអេក្រង់ការកំណត់របស់ការិយាល័យបង្ហាញ («សោចុះហត្ថលេខា»)។ សូមពិនិត្យស្នាមម្រាមដៃជាមួយការិយាល័យ។',
  'receiptKeys.trustName': 'ឈ្មោះសម្រាប់ការិយាល័យនោះ',
  'receiptKeys.trustNameHint': 'ឧទាហរណ៍ «ការិយាល័យភ្នំពេញ»។',
  'receiptKeys.trustAdd': 'ទុកចិត្តការិយាល័យនេះ',
  'receiptKeys.trustAdded': 'បានទុកចិត្តការិយាល័យ។',
  'receiptKeys.trustNameMissing': 'សូមដាក់ឈ្មោះឱ្យការិយាល័យ។',
  'receiptKeys.revokeConfirm':
    'ដកការទុកចិត្ត «{name}» ជាអចិន្ត្រៃយ៍ឬ? បង្កាន់ដៃរបស់វានឹងត្រូវបដិសេធ ហើយវាមិនអាចត្រូវបានទុកចិត្តម្ដងទៀតបានទេ។ អ្វីដែលមានតែបង្កាន់ដៃរបស់វាទទួលស្គាល់ ហើយនៅលើកុំព្យូទ័រនេះនៅឡើយ នឹងនៅទីនេះ ហើយត្រូវផ្ញើម្ដងទៀតជាមួយកញ្ចប់បន្ទាប់។',
  'receiptOut.open': 'សរសេរបង្កាន់ដៃសម្រាប់កុំព្យូទ័រយួរដៃ…',
  'receiptOut.path': 'រក្សាទុកបង្កាន់ដៃជា',
  'receiptOut.pathHint': 'ផ្លូវពេញ ~/ មានន័យថាថតផ្ទះរបស់អ្នក។ យកឯកសារនេះទៅកុំព្យូទ័រដែលបានផ្ញើកញ្ចប់វិញ។',
  'receiptOut.write': 'សរសេរបង្កាន់ដៃ',
  'receiptOut.working': 'កំពុងសរសេរបង្កាន់ដៃ…',
  'receiptOut.done': 'បានសរសេរបង្កាន់ដៃសម្រាប់កញ្ចប់ {sequence}៖ ការផ្លាស់ប្ដូរ {revisions} និងឯកសារភ្ជាប់ {attachments} ដែល {office} រក្សាទុក។ សូមផ្ដល់ឯកសារនេះទៅកុំព្យូទ័រយួរដៃ៖',

  'receiptIn.title': 'បង្កាន់ដៃពីការិយាល័យ',
  'receiptIn.intro':
    'ពេលការិយាល័យនាំចូលកញ្ចប់រួច វាផ្ដល់បង្កាន់ដៃមកវិញ។ សូមអានវានៅទីនេះ៖ កុំព្យូទ័រនេះនឹងដឹងថាការិយាល័យរក្សាទុកអ្វីខ្លះ ហើយអាចលុបវាចេញបាន។',
  'receiptIn.path': 'ឯកសារបង្កាន់ដៃ',
  'receiptIn.pathHint': 'ផ្លូវពេញ ~/ មានន័យថាថតផ្ទះរបស់អ្នក។',
  'receiptIn.pathMissing': 'សូមផ្ដល់ផ្លូវនៃឯកសារបង្កាន់ដៃ។',
  'receiptIn.read': 'អានបង្កាន់ដៃ',
  'receiptIn.working': 'កំពុងពិនិត្យបង្កាន់ដៃ…',
  'receiptIn.done': '{office} រក្សាទុកកញ្ចប់ {sequence}៖ ការផ្លាស់ប្ដូរ {revisions} និងឯកសារភ្ជាប់ {attachments}។',
  'purge.title': 'លុបចេញពីកុំព្យូទ័រនេះ នូវអ្វីដែលការិយាល័យរក្សាទុក',
  'purge.intro':
    'បើកុំព្យូទ័រនេះបាត់ ឬត្រូវគេយក អ្វីដែលលែងនៅលើវា គ្មាននរណាអាចអានបានទេ។ កំណត់ត្រានៅតែបង្ហាញជាសំណល់ ដែលប្រាប់ថាការិយាល័យរក្សាទុកវា។',
  'purge.start': 'លុបអ្វីដែលការិយាល័យរក្សាទុក…',
  'purge.confirm':
    'លុបចេញពីកុំព្យូទ័រនេះ នូវកំណត់ត្រា និងឯកសារភ្ជាប់ទាំងអស់ដែលការិយាល័យបានទទួលស្គាល់ឬ? ការិយាល័យនៅរក្សាទុកវា កុំព្យូទ័រនេះមិនអាចបង្ហាញវាម្ដងទៀតបានទេ។',
  'purge.yes': 'បាទ/ចាស លុបវាចេញ',
  'purge.no': 'ទុកវាសិន',
  'purge.working': 'កំពុងលុប…',
  'purge.done':
    'បានលុបការផ្លាស់ប្ដូរ {revisions} (កំណត់ត្រា {records} ឥឡូវជាសំណល់ ផ្នែកអត្តសញ្ញាណ {identities}) និងឯកសារភ្ជាប់ {attachments} ({size})។',
  'purge.nothing': 'គ្មានអ្វីត្រូវលុបទេ៖ ការិយាល័យមិនទាន់ទទួលស្គាល់អ្វីដែលនៅលើកុំព្យូទ័រនេះនៅឡើយ។',
}
