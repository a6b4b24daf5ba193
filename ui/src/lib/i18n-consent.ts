// Strings of the consent-withdrawal action on an interview (issue 4), in English
// and Khmer, spread into the main tables by i18n.ts.
//
// The Khmer is a first draft: a native speaker must review it before field use.

export const consentEn = {
  'cw.title': 'Consent',
  'cw.part.interview': 'To be interviewed',
  'cw.part.recording': 'To audio recording',
  'cw.part.sharing_with_police': 'To sharing with the police',
  'cw.part.sharing_with_prosecutors': 'To sharing with prosecutors',
  'cw.given': 'given',
  'cw.notGiven': 'not given',
  'cw.withdrawn': 'WITHDRAWN {time}, recorded by {by}',
  'cw.start': 'Record a withdrawal of consent…',
  'cw.which': 'Which consent was withdrawn',
  'cw.date': 'Date it was withdrawn (YYYY-MM-DD)',
  'cw.by': 'Recorded by (your name or staff code)',
  'cw.note': 'Note (optional)',
  'cw.confirm': 'Record the withdrawal',
  'cw.cancel': 'Cancel',
  'cw.hint': 'The interview shows the withdrawal from now on, and it travels to the office in the next bundle. It cannot be undone here.',
  'cw.done': 'The withdrawal is recorded.',
  'cw.badDate': 'Write the date as YYYY-MM-DD, not in the future.',
  'cw.needBy': 'Say who recorded it.',
} as const

export type ConsentKey = keyof typeof consentEn

export const consentKm: Record<ConsentKey, string> = {
  'cw.title': 'ការយល់ព្រម',
  'cw.part.interview': 'ចំពោះការសម្ភាសន៍',
  'cw.part.recording': 'ចំពោះការថតសំឡេង',
  'cw.part.sharing_with_police': 'ចំពោះការចែករំលែកជាមួយប៉ូលិស',
  'cw.part.sharing_with_prosecutors': 'ចំពោះការចែករំលែកជាមួយព្រះរាជអាជ្ញា',
  'cw.given': 'បានផ្ដល់',
  'cw.notGiven': 'មិនបានផ្ដល់',
  'cw.withdrawn': 'បានដកវិញ {time} កត់ត្រាដោយ {by}',
  'cw.start': 'កត់ត្រាការដកការយល់ព្រមវិញ…',
  'cw.which': 'ការយល់ព្រមមួយណាដែលត្រូវបានដកវិញ',
  'cw.date': 'កាលបរិច្ឆេទដែលបានដកវិញ (YYYY-MM-DD)',
  'cw.by': 'កត់ត្រាដោយ (ឈ្មោះ ឬលេខកូដបុគ្គលិករបស់អ្នក)',
  'cw.note': 'កំណត់ចំណាំ (ស្រេចចិត្ត)',
  'cw.confirm': 'កត់ត្រាការដកវិញ',
  'cw.cancel': 'បោះបង់',
  'cw.hint': 'ចាប់ពីពេលនេះ បទសម្ភាសន៍នឹងបង្ហាញការដកវិញនេះ ហើយវានឹងទៅដល់ការិយាល័យក្នុងកញ្ចប់បន្ទាប់។ មិនអាចលុបចោលវានៅទីនេះបានទេ។',
  'cw.done': 'ការដកវិញត្រូវបានកត់ត្រា។',
  'cw.badDate': 'សូមសរសេរកាលបរិច្ឆេទជា YYYY-MM-DD ហើយមិនមែនថ្ងៃអនាគត។',
  'cw.needBy': 'សូមបញ្ជាក់អ្នកដែលបានកត់ត្រា។',
}
