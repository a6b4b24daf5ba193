// Every visible string, in English and Khmer. Components read them through
// `$t('key')`; the language switches at runtime with `setLang`. The Khmer
// table is typed against the English one, so a missing key fails the build,
// and a test checks both tables carry the same {placeholders}.
//
// The Khmer wording is a first draft: a native speaker on the team should
// review it before field use.

import { derived, writable } from 'svelte/store'
import type { ErrorCode, RecordKind } from './backend'
import { recordsEn, recordsKm } from './i18n-records'
import { consentEn, consentKm } from './i18n-consent'
import { visitsEn, visitsKm } from './i18n-visits'
import { casesEn, casesKm } from './i18n-cases'
import { receiptsEn, receiptsKm } from './i18n-receipts'
import { reportsEn, reportsKm } from './i18n-reports'
import { codesEn, codesKm } from './i18n-codes'

export const LANGS = ['en', 'km'] as const
export type Lang = (typeof LANGS)[number]

/** Each language's own name, shown in the switch. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', km: 'ខ្មែរ' }

const en = {
  ...recordsEn,
  ...consentEn,
  'app.name': 'Fieldcase',
  'app.starting': 'Starting…',
  'app.failed': 'Fieldcase could not start.',
  'lang.label': 'Language',
  'panic.button': 'Hide & lock',
  'panic.hint': 'Press Esc twice to hide and lock.',

  'firstRun.title': 'Set up Fieldcase on this laptop',
  'firstRun.why':
    'Everything you record is encrypted with this passphrase: no one can recover it if you forget it, and anyone who knows it can read everything, so make it long and keep it to yourself.',
  'firstRun.passphrase': 'Passphrase',
  'firstRun.passphraseHint': 'At least {min} characters. A few unrelated words work well.',
  'firstRun.again': 'Type the passphrase again',
  'firstRun.device': 'Name of this laptop',
  'firstRun.deviceHint':
    'The office sees this name on bundles from this laptop, for example “Team 2 laptop”. Avoid names of people or places.',
  'firstRun.submit': 'Create profile',
  'firstRun.working': 'Creating the profile… this takes a few seconds.',
  'firstRun.tooShort': 'Use at least {min} characters.',
  'firstRun.mismatch': 'The two passphrases are not the same.',
  'firstRun.deviceMissing': 'Give this laptop a name.',

  'firstRun.role': 'What this laptop is for',
  'firstRun.roleField': 'Field work: record visits and interviews, and send bundles to the office',
  'firstRun.roleOffice': 'Office: receive bundles from field laptops and import them',

  'home.settings': 'Settings',
  'home.export': 'Send to the office (export)',
  'home.import': 'Import bundles',
  'home.roleField': 'Field laptop “{name}”',
  'home.roleOffice': 'Office “{name}”',

  'time.seconds': '{n} s',
  'time.minutes': '{n} min',
  'time.hours': '{h} h {m} min',
  'progress.of': '{done} of {total}',
  'progress.left': 'about {time} left',
  'progress.starting': 'Starting…',

  'settings.title': 'Settings',
  'settings.back': 'Back to home',
  'settings.loading': 'Loading…',
  'settings.deviceKey': 'This laptop’s signing key',
  'settings.deviceKeyHint':
    'Give this key to the office, so it can check that bundles really come from this laptop. Read the fingerprint aloud to confirm it.',
  'settings.fingerprint': 'Fingerprint',
  'settings.publicKey': 'Public key',
  'settings.recipients': 'Office keys that bundles are encrypted to',
  'settings.recipientsNone': 'No office key yet: bundles cannot be made until one is added.',
  'settings.newRecipient': 'Add the office’s key (starts with age1)',
  'settings.newRecipientHint': 'The office gives you this key. Only the office can open bundles encrypted to it.',
  'settings.addRecipient': 'Add office key',
  'settings.recipientInvalid': 'That is not an office key: it is one line of 62 characters starting with age1.',
  'settings.recipientAdded': 'Office key added.',
  'settings.officeKey': 'This office’s key',
  'settings.officeKeyHint':
    'Give this key to each field laptop. Bundles encrypted to it can be opened only here.',
  'settings.trusted': 'Trusted field laptops',
  'settings.trustedNone':
    'No field laptop is trusted yet: bundles are refused until their laptop is added here.',
  'settings.trustedRow': '{name} · fingerprint {id} · added {time}',
  'settings.revoked': 'revoked {time}',
  'settings.revoke': 'Revoke',
  'settings.revokeConfirm':
    'Revoke “{name}” for good? Its bundles will be refused, and it cannot be trusted again.',
  'settings.revokeYes': 'Yes, revoke',
  'settings.cancel': 'Cancel',
  'settings.trustKey': 'Field laptop’s public key',
  'settings.trustKeyHint': 'As that laptop’s Settings screen shows it. Check the fingerprint with its user.',
  'settings.trustName': 'Name for that laptop',
  'settings.trustNameHint': 'For example “Team 2 laptop, Battambang”.',
  'settings.trustAdd': 'Trust this laptop',
  'settings.trustKeyInvalid': 'That is not a signing key: it is one line of 56 characters starting with RW.',
  'settings.trustNameMissing': 'Give the laptop a name.',
  'settings.trustAdded': 'Laptop trusted.',

  'export.title': 'Send records to the office',
  'export.intro':
    'A bundle is one encrypted file that only the office can open. Carry it on a USB stick or send it; on its own it reveals nothing.',
  'export.path': 'Save the bundle as',
  'export.pathHint': 'A full path; ~/ means your home folder. The file must not exist yet.',
  'export.pathMissing': 'Give the path of the file to write.',
  'export.scope': 'What to include',
  'export.scopeNew': 'What the office has not acknowledged yet',
  'export.scopeAll': 'Everything on this laptop',
  'export.start': 'Make the bundle',
  'export.working': 'Writing the bundle…',
  'export.done': 'The bundle is ready.',
  'export.file': 'File',
  'export.size': 'Size',
  'export.contents': 'Contents',
  'export.counts': '{records} records ({revisions} changes), {attachments} attachments',
  'export.sequence': 'Bundle number',
  'export.fingerprint': 'Bundle fingerprint',
  'export.fingerprintHint': 'The office sees the same fingerprint when it imports this bundle.',
  'export.noRecipient': 'No office key is set yet, so a bundle cannot be encrypted.',
  'export.openSettings': 'Open Settings',
  'export.another': 'Make another bundle',

  'import.title': 'Import bundles',
  'import.intro':
    'Each bundle is checked whole (who signed it, and that nothing was changed) before anything is written. A refused bundle changes nothing.',
  'import.paths': 'Bundle files, one path per line',
  'import.pathsHint': 'Full paths; ~/ means your home folder.',
  'import.pathsMissing': 'Give at least one bundle file.',
  'import.start': 'Import',
  'import.working': 'Importing {n} of {count}: {file}',
  'import.results': 'Results',
  'import.imported': 'Imported from “{device}” (bundle {sequence}, signed as “{signer}”)',
  'import.new': 'New changes',
  'import.skipped': 'Already here (skipped)',
  'import.conflicts': 'Conflicts',
  'import.gaps': 'Gaps',
  'import.attachments': 'Attachments stored',
  'import.noGaps': 'None',
  'import.missing': 'bundles {list} from this laptop have not arrived',
  'import.outOfOrder': 'a later bundle from this laptop arrived first',
  'import.previousMismatch': 'its link to the previous bundle does not match: ask the laptop’s user',
  'import.alreadyImported': 'This bundle was imported before; nothing changed.',
  'import.fingerprint': 'Bundle fingerprint',
  'import.done': 'Done: {ok} imported, {failed} refused.',

  'strength.label': 'Strength',
  'strength.0': 'Too short',
  'strength.1': 'Weak',
  'strength.2': 'Fair',
  'strength.3': 'Strong',

  'unlock.title': 'Fieldcase is locked',
  'unlock.passphrase': 'Passphrase',
  'unlock.submit': 'Unlock',
  'unlock.working': 'Unlocking…',

  'home.title': 'Home',
  'home.counts': 'Records on this laptop',
  'home.lock': 'Lock',
  'home.autoLock': 'Fieldcase locks itself after {minutes} min without use (Settings).',
  'home.loading': 'Counting records…',

  'home.newInterview': 'New interview',
  'home.drafts': 'Unfinished work',
  'home.noDrafts': 'Nothing unfinished.',
  'home.draftLabel': '{kind} · {person} · saved {time}',
  'home.noPerson': 'no person chosen',
  'home.resume': 'Resume',

  'home.sending': 'Sending to the office',
  'home.awaiting': 'Awaiting export: {count} changes not yet in any bundle.',
  'home.resend': 'Sent without a receipt yet: {count} changes; the next export carries them again.',
  'home.nothingAwaiting': 'Nothing new awaits export.',
  'home.lastExport': 'Last export: bundle {sequence}, {time}, fingerprint {fingerprint}.',
  'home.noExport': 'No bundle written yet.',
  'home.receiptAwaited': 'Bundles with no receipt from the office yet: {count}.',
  'home.lastReceipt': 'Last receipt from the office: {time}.',

  'home.conflicts': 'Conflicts',
  'pw.title': 'Passphrase',
  'pw.hint': 'Change it if someone may have seen it. Everything is re-encrypted under a new key, so the old passphrase opens nothing, even from a backup of the key file. On a big profile this takes a while.',
  'pw.current': 'Current passphrase',
  'pw.new': 'New passphrase',
  'pw.again': 'New passphrase again',
  'pw.change': 'Change passphrase',
  'pw.working': 'Changing…',
  'pw.done': 'Changed. Use the new passphrase from now on.',
  'settings.autoLock': 'Locking by itself',
  'settings.autoLockLabel': 'Lock after this long without use',
  'settings.minutes': '{minutes} min',
  'settings.autoLockHint': 'Remembered on this computer. Shorter is safer where the laptop may be seen or taken; Esc twice or Hide & lock locks at once.',
  'settings.language': 'Language',
  'settings.languageLabel': 'Language of every screen',
  'settings.languageHint': 'The same as the switch at the top of the window. Remembered on this computer, before the profile is unlocked too.',
  'picker.choose': 'Choose…',
  'picker.failed': 'The file picker could not open. Type the path instead.',
  'picker.attachTitle': 'Choose a file to attach',
  'picker.importTitle': 'Choose bundles to import',
  'picker.exportTitle': 'Where to save the bundle',
  'home.devices': 'Field laptops',
  'devices.title': 'Field laptops and their bundles',
  'devices.intro': 'Every laptop this office trusts, revoked ones too: the bundles received by number, the missing ones, and the receipts written back.',
  'devices.none': 'No field laptop is trusted yet (Settings).',
  'devices.revoked': 'revoked {time}',
  'devices.key': 'key {key}',
  'devices.calls': 'calls itself “{name}”',
  'devices.lastSeen': 'Last bundle imported {time}',
  'devices.neverSeen': 'No bundle received yet',
  'devices.received': 'bundles received: {count}',
  'devices.missing': 'Missing bundles: {list}. Ask the laptop\'s user to send them again.',
  'devices.withoutReceipt': 'No receipt written yet for bundles: {list}.',
  'devices.bundle': 'Bundle {n}',
  'devices.gap': 'missing',
  'devices.bundleLine': 'written {written}, imported {imported}; {changes} changes, {files} files',
  'devices.chainBroken': 'does not follow the bundle before it',
  'devices.receipt': 'receipt written {time}',
  'devices.noReceipt': 'no receipt yet',
  'conflicts.title': 'Records changed on two devices',
  'conflicts.intro': 'The same record was changed on two devices before either change reached the other. Compare the versions and keep what is right; every version stays in the record\'s history.',
  'conflicts.none': 'No records in conflict.',
  'conflicts.versions': '{count} versions',
  'conflicts.compare': 'Compare',
  'conflicts.version': 'Version {n}',
  'conflicts.by': '{device} · {author} · {time}',
  'conflicts.unknownDevice': 'unknown device',
  'conflicts.deleted': 'deleted in this version',
  'conflicts.take': 'Keep this version whole',
  'conflicts.field': 'Field',
  'conflicts.absent': '(none)',
  'conflicts.noDifferences': 'The versions hold the same values; keep either one whole.',
  'conflicts.identityDiffers': 'The protected identity section differs too; it is not shown here. Keeping a version whole keeps its identity section; a field-by-field merge keeps the newest version\'s.',
  'conflicts.merge': 'Resolve with these choices',
  'conflicts.back': 'Back to the list',
  'conflicts.confirm': 'This would remove fields that every version holds: {fields}. Remove them?',
  'conflicts.confirmYes': 'Remove them and resolve',
  'conflicts.cancel': 'Cancel',
  'conflicts.resolved': 'Resolved. The record has one version again; the others stay in its history.',

  'iv.title': 'Interview',
  'iv.step.person': 'Who is being interviewed',
  'iv.step.consent': 'Consent',
  'iv.step.present': 'People present',
  'iv.step.account': 'The interview',
  'iv.person': 'Person (pseudonym)',
  'iv.personNone': 'Choose a person…',
  'iv.newPseudonym': 'Or add a new person: pseudonym',
  'iv.newPseudonymHint': 'A name that protects the person, never their real name.',
  'iv.addPerson': 'Add person',
  'iv.choosePerson': 'Choose a person or add one.',
  'iv.continue': 'Continue',
  'iv.back': 'Back',
  'iv.consentIntro':
    'Explain each part on its own, in a language the person understands. Each part can be refused without refusing the others.',
  'iv.consent.interview': 'Agrees to be interviewed',
  'iv.consent.recording': 'Agrees to audio recording',
  'iv.consent.sharing_with_police': 'Agrees to sharing with the police',
  'iv.consent.sharing_with_prosecutors': 'Agrees to sharing with prosecutors',
  'iv.explainedBy': 'Consent explained by (name or staff code)',
  'iv.language': 'Language of the interview',
  'iv.noConsent': 'No interview without interview consent. You can stop here; nothing is recorded as an interview.',
  'iv.explainedByMissing': 'Say who explained the consent.',
  'iv.presentIntro': 'Everyone in the room, by role.',
  'iv.role': 'Role',
  'iv.nameOrCode': 'Name or staff code',
  'iv.addPresent': 'Add someone present',
  'iv.removePresent': 'Remove',
  'iv.minor': 'The person is under 18',
  'iv.minorBlocked':
    'A child may only be interviewed with a guardian or a social worker present. Add one before you continue.',
  'iv.presentNameMissing': 'Give a name or staff code for everyone present.',
  'iv.narrative': 'The person’s own words (narrative)',
  'iv.narrativeHint': 'Write what the person says, as they say it.',
  'iv.notes': 'Interviewer’s notes',
  'iv.notesHint': 'Your own observations and interpretation, kept apart from their words.',
  'iv.ilo': 'ILO indicators of forced labour',
  'iv.pause': 'Pause',
  'iv.resume': 'Resume',
  'iv.onBreak': 'On a break since {time}',
  'iv.breaks': 'Breaks: {count}',
  'iv.end': 'End interview',
  'iv.ending': 'Saving the interview…',
  'iv.saved': 'Saved {time}',
  'iv.unsaved': 'Not saved yet',
  'iv.saveFailed': 'Could not save the draft.',
  'iv.earlier': 'Earlier statements ({count})',
  'iv.earlierHide': 'Hide earlier statements',
  'iv.earlierNone': 'No earlier statements.',
  'iv.earlierEmpty': '(no narrative recorded)',
  'iv.close': 'Back to home (keeps the draft)',
  'iv.done': 'The interview was saved.',
  'iv.discard': 'Discard draft',
  'iv.discardConfirm': 'Really discard? Everything typed is lost.',

  'role.interviewer': 'Interviewer',
  'role.social_worker': 'Social worker',
  'role.guardian': 'Parent or guardian',
  'role.interpreter': 'Interpreter',
  'role.police': 'Police officer',
  'role.lawyer': 'Lawyer',
  'role.other': 'Someone else',

  'ilo.abuse_of_vulnerability': 'Abuse of vulnerability',
  'ilo.deception': 'Deception',
  'ilo.restriction_of_movement': 'Restriction of movement',
  'ilo.isolation': 'Isolation',
  'ilo.physical_and_sexual_violence': 'Physical and sexual violence',
  'ilo.intimidation_and_threats': 'Intimidation and threats',
  'ilo.retention_of_identity_documents': 'Retention of identity documents',
  'ilo.withholding_of_wages': 'Withholding of wages',
  'ilo.debt_bondage': 'Debt bondage',
  'ilo.abusive_working_and_living_conditions': 'Abusive working and living conditions',
  'ilo.excessive_overtime': 'Excessive overtime',

  'language.km': 'Khmer',
  'language.en': 'English',
  'language.th': 'Thai',
  'language.vi': 'Vietnamese',

  'kind.person': 'People',
  'kind.establishment': 'Establishments',
  'kind.visit': 'Visits',
  'kind.interview': 'Interviews',
  'kind.case': 'Cases',
  'kind.referral': 'Referrals',
  'kind.attachment': 'Attachments',

  'error.detail': 'Details',
  'error.wrong_passphrase':
    'That passphrase does not open this profile. Check the keyboard language and Caps Lock, then try again.',
  'error.passphrase_needed': 'This step needs your passphrase typed again.',
  'reauth.title': 'Type your passphrase again',
  'reauth.why':
    'This step changes whom this profile trusts, or what leaves it, so it needs the passphrase again: a minute at an unlocked laptop is not enough.',
  'reauth.passphrase': 'Passphrase',
  'reauth.confirm': 'Confirm',
  'reauth.checking': 'Checking…',
  'reauth.cancel': 'Cancel',
  'reauth.wrong': 'That passphrase does not open this profile. Nothing was done; try again or cancel.',
  'error.unlock_delayed':
    'Too many wrong passphrases in a row. Wait a little (the details say how long), then try again.',
  'error.no_profile': 'There is no profile on this laptop yet.',
  'error.profile_exists': 'A profile already exists on this laptop.',
  'error.in_use': 'This profile is open in another Fieldcase window or command. Close it and try again.',
  'error.invalid': 'Something entered is not valid.',
  'error.not_found': 'It could not be found.',
  'error.conflict': 'This record was changed on two laptops. Resolve the conflict before editing it.',
  'error.store_damaged':
    'The stored data is damaged. Leave the folder as it is and ask the office for help.',
  'error.newer_version': 'This data was written by a newer Fieldcase. Update Fieldcase.',
  'error.disk_full': 'The disk is full; nothing was saved. Free some space and try again.',
  'error.locked': 'Fieldcase is locked.',
  'error.busy': 'An export or import is running. Wait for it to finish.',
  'error.no_recipient': 'No office key is set. Add the office’s key in Settings first.',
  'error.nothing_to_export':
    'Nothing new to send: the office has acknowledged everything. Choose “Everything on this laptop” to send it all again.',
  'error.not_an_office': 'This profile is not an office, so it cannot open bundles.',
  'error.untrusted':
    'This bundle is signed by a laptop this office does not trust; nothing was imported. If you know the laptop, add it in Settings.',
  'error.bundle_refused': 'This bundle was refused; nothing was imported.',
  'error.file_exists': 'A file with that name already exists; nothing was written. Choose another name.',
  'error.file_error': 'The file could not be read or written. Check the path.',
  'error.internal': 'Something unexpected went wrong.',

  // Establishments and visits: their own file.
  ...visitsEn,
  // Cases: their own file.
  ...casesEn,
  // Receipts and purge: their own file.
  ...receiptsEn,
  // Reports (and the Conflicts screen's field names): their own file.
  ...reportsEn,
  ...codesEn,
} as const

export type Key = keyof typeof en

const km: Record<Key, string> = {
  ...recordsKm,
  ...consentKm,
  'app.name': 'Fieldcase',
  'app.starting': 'កំពុងចាប់ផ្តើម…',
  'app.failed': 'Fieldcase មិនអាចចាប់ផ្តើមបានទេ។',
  'lang.label': 'ភាសា',
  'panic.button': 'លាក់ និងចាក់សោ',
  'panic.hint': 'ចុច Esc ពីរដង ដើម្បីលាក់ និងចាក់សោ។',

  'firstRun.title': 'រៀបចំ Fieldcase នៅលើកុំព្យូទ័រយួរដៃនេះ',
  'firstRun.why':
    'អ្វីៗដែលអ្នកកត់ត្រា ត្រូវបានអ៊ិនគ្រីបដោយឃ្លាសម្ងាត់នេះ៖ បើអ្នកភ្លេចវា គ្មាននរណាអាចយកវាមកវិញបានទេ ហើយអ្នកណាដែលដឹងវា អាចអានអ្វីៗទាំងអស់ ដូច្នេះសូមធ្វើឲ្យវាវែង ហើយរក្សាវាទុកតែខ្លួនឯង។',
  'firstRun.passphrase': 'ឃ្លាសម្ងាត់',
  'firstRun.passphraseHint': 'យ៉ាងហោចណាស់ {min} តួអក្សរ។ ពាក្យពីរបីដែលមិនទាក់ទងគ្នា គឺល្អ។',
  'firstRun.again': 'វាយឃ្លាសម្ងាត់ម្តងទៀត',
  'firstRun.device': 'ឈ្មោះកុំព្យូទ័រយួរដៃនេះ',
  'firstRun.deviceHint':
    'ការិយាល័យនឹងឃើញឈ្មោះនេះ លើកញ្ចប់ទិន្នន័យពីកុំព្យូទ័រនេះ ឧទាហរណ៍ «កុំព្យូទ័រក្រុមទី២»។ កុំប្រើឈ្មោះមនុស្ស ឬទីកន្លែង។',
  'firstRun.submit': 'បង្កើតប្រវត្តិរូប',
  'firstRun.working': 'កំពុងបង្កើតប្រវត្តិរូប… វាចំណាយពេលពីរបីវិនាទី។',
  'firstRun.tooShort': 'សូមប្រើយ៉ាងហោចណាស់ {min} តួអក្សរ។',
  'firstRun.mismatch': 'ឃ្លាសម្ងាត់ទាំងពីរ មិនដូចគ្នាទេ។',
  'firstRun.deviceMissing': 'សូមដាក់ឈ្មោះឲ្យកុំព្យូទ័រនេះ។',

  'firstRun.role': 'កុំព្យូទ័រនេះសម្រាប់ធ្វើអ្វី',
  'firstRun.roleField': 'ការងារចុះមូលដ្ឋាន៖ កត់ត្រាការចុះពិនិត្យ និងបទសម្ភាសន៍ ហើយផ្ញើកញ្ចប់ទិន្នន័យទៅការិយាល័យ',
  'firstRun.roleOffice': 'ការិយាល័យ៖ ទទួលកញ្ចប់ទិន្នន័យពីកុំព្យូទ័រចុះមូលដ្ឋាន ហើយនាំចូលវា',

  'home.settings': 'ការកំណត់',
  'home.export': 'ផ្ញើទៅការិយាល័យ (នាំចេញ)',
  'home.import': 'នាំចូលកញ្ចប់ទិន្នន័យ',
  'home.roleField': 'កុំព្យូទ័រចុះមូលដ្ឋាន «{name}»',
  'home.roleOffice': 'ការិយាល័យ «{name}»',

  'time.seconds': '{n} វិនាទី',
  'time.minutes': '{n} នាទី',
  'time.hours': '{h} ម៉ោង {m} នាទី',
  'progress.of': '{done} ក្នុងចំណោម {total}',
  'progress.left': 'នៅសល់ប្រហែល {time}',
  'progress.starting': 'កំពុងចាប់ផ្តើម…',

  'settings.title': 'ការកំណត់',
  'settings.back': 'ត្រឡប់ទៅទំព័រដើម',
  'settings.loading': 'កំពុងផ្ទុក…',
  'settings.deviceKey': 'សោចុះហត្ថលេខារបស់កុំព្យូទ័រនេះ',
  'settings.deviceKeyHint':
    'សូមផ្តល់សោនេះឲ្យការិយាល័យ ដើម្បីឲ្យគេអាចពិនិត្យថា កញ្ចប់ទិន្នន័យពិតជាមកពីកុំព្យូទ័រនេះមែន។ សូមអានលេខសម្គាល់សោឲ្យគេស្តាប់ ដើម្បីបញ្ជាក់។',
  'settings.fingerprint': 'លេខសម្គាល់សោ',
  'settings.publicKey': 'សោសាធារណៈ',
  'settings.recipients': 'សោការិយាល័យ ដែលកញ្ចប់ទិន្នន័យត្រូវបានអ៊ិនគ្រីបទៅ',
  'settings.recipientsNone': 'មិនទាន់មានសោការិយាល័យទេ៖ មិនអាចបង្កើតកញ្ចប់ទិន្នន័យបាន រហូតដល់បន្ថែមសោមួយ។',
  'settings.newRecipient': 'បន្ថែមសោរបស់ការិយាល័យ (ចាប់ផ្តើមដោយ age1)',
  'settings.newRecipientHint':
    'ការិយាល័យផ្តល់សោនេះឲ្យអ្នក។ មានតែការិយាល័យប៉ុណ្ណោះ ដែលអាចបើកកញ្ចប់ទិន្នន័យដែលបានអ៊ិនគ្រីបទៅសោនេះ។',
  'settings.addRecipient': 'បន្ថែមសោការិយាល័យ',
  'settings.recipientInvalid': 'នេះមិនមែនជាសោការិយាល័យទេ៖ សោនោះជាបន្ទាត់មួយ មាន ៦២ តួអក្សរ ចាប់ផ្តើមដោយ age1។',
  'settings.recipientAdded': 'បានបន្ថែមសោការិយាល័យ។',
  'settings.officeKey': 'សោរបស់ការិយាល័យនេះ',
  'settings.officeKeyHint':
    'សូមផ្តល់សោនេះឲ្យកុំព្យូទ័រចុះមូលដ្ឋាននីមួយៗ។ កញ្ចប់ទិន្នន័យដែលបានអ៊ិនគ្រីបទៅសោនេះ អាចបើកបានតែនៅទីនេះប៉ុណ្ណោះ។',
  'settings.trusted': 'កុំព្យូទ័រចុះមូលដ្ឋានដែលទុកចិត្ត',
  'settings.trustedNone':
    'មិនទាន់មានកុំព្យូទ័រណាមួយត្រូវបានទុកចិត្តទេ៖ កញ្ចប់ទិន្នន័យនឹងត្រូវបដិសេធ រហូតដល់បន្ថែមកុំព្យូទ័ររបស់វានៅទីនេះ។',
  'settings.trustedRow': '{name} · លេខសម្គាល់សោ {id} · បានបន្ថែមនៅ {time}',
  'settings.revoked': 'បានដកការទុកចិត្តនៅ {time}',
  'settings.revoke': 'ដកការទុកចិត្ត',
  'settings.revokeConfirm':
    'ដកការទុកចិត្តពី «{name}» ជាស្ថាពរ? កញ្ចប់ទិន្នន័យរបស់វានឹងត្រូវបដិសេធ ហើយវាមិនអាចត្រូវបានទុកចិត្តម្តងទៀតបានទេ។',
  'settings.revokeYes': 'បាទ/ចាស ដកការទុកចិត្ត',
  'settings.cancel': 'បោះបង់',
  'settings.trustKey': 'សោសាធារណៈរបស់កុំព្យូទ័រចុះមូលដ្ឋាន',
  'settings.trustKeyHint':
    'ដូចដែលអេក្រង់ការកំណត់របស់កុំព្យូទ័រនោះបង្ហាញ។ សូមផ្ទៀងផ្ទាត់លេខសម្គាល់សោជាមួយអ្នកប្រើរបស់វា។',
  'settings.trustName': 'ឈ្មោះសម្រាប់កុំព្យូទ័រនោះ',
  'settings.trustNameHint': 'ឧទាហរណ៍ «កុំព្យូទ័រក្រុមទី២ បាត់ដំបង»។',
  'settings.trustAdd': 'ទុកចិត្តកុំព្យូទ័រនេះ',
  'settings.trustKeyInvalid': 'នេះមិនមែនជាសោចុះហត្ថលេខាទេ៖ សោនោះជាបន្ទាត់មួយ មាន ៥៦ តួអក្សរ ចាប់ផ្តើមដោយ RW។',
  'settings.trustNameMissing': 'សូមដាក់ឈ្មោះឲ្យកុំព្យូទ័រនោះ។',
  'settings.trustAdded': 'បានទុកចិត្តកុំព្យូទ័រនេះ។',

  'export.title': 'ផ្ញើកំណត់ត្រាទៅការិយាល័យ',
  'export.intro':
    'កញ្ចប់ទិន្នន័យ គឺជាឯកសារអ៊ិនគ្រីបមួយ ដែលមានតែការិយាល័យប៉ុណ្ណោះអាចបើកបាន។ អ្នកអាចយកវាតាម USB ឬផ្ញើវា៖ ដោយខ្លួនវាផ្ទាល់ វាមិនបង្ហាញអ្វីទាំងអស់។',
  'export.path': 'រក្សាទុកកញ្ចប់ទិន្នន័យជា',
  'export.pathHint': 'ផ្លូវពេញ៖ ~/ មានន័យថាថតផ្ទាល់ខ្លួនរបស់អ្នក។ ឯកសារនោះមិនត្រូវមានរួចហើយទេ។',
  'export.pathMissing': 'សូមផ្តល់ផ្លូវរបស់ឯកសារដែលត្រូវសរសេរ។',
  'export.scope': 'អ្វីដែលត្រូវដាក់បញ្ចូល',
  'export.scopeNew': 'អ្វីដែលការិយាល័យមិនទាន់បញ្ជាក់ថាបានទទួល',
  'export.scopeAll': 'អ្វីៗទាំងអស់នៅលើកុំព្យូទ័រនេះ',
  'export.start': 'បង្កើតកញ្ចប់ទិន្នន័យ',
  'export.working': 'កំពុងសរសេរកញ្ចប់ទិន្នន័យ…',
  'export.done': 'កញ្ចប់ទិន្នន័យរួចរាល់ហើយ។',
  'export.file': 'ឯកសារ',
  'export.size': 'ទំហំ',
  'export.contents': 'មាតិកា',
  'export.counts': 'កំណត់ត្រា {records} ({revisions} ការកែប្រែ) ឯកសារភ្ជាប់ {attachments}',
  'export.sequence': 'លេខរៀងកញ្ចប់',
  'export.fingerprint': 'លេខសម្គាល់កញ្ចប់',
  'export.fingerprintHint': 'ការិយាល័យនឹងឃើញលេខសម្គាល់ដូចគ្នានេះ ពេលនាំចូលកញ្ចប់នេះ។',
  'export.noRecipient': 'មិនទាន់បានកំណត់សោការិយាល័យទេ ដូច្នេះមិនអាចអ៊ិនគ្រីបកញ្ចប់ទិន្នន័យបានទេ។',
  'export.openSettings': 'បើកការកំណត់',
  'export.another': 'បង្កើតកញ្ចប់ទិន្នន័យមួយទៀត',

  'import.title': 'នាំចូលកញ្ចប់ទិន្នន័យ',
  'import.intro':
    'កញ្ចប់ទិន្នន័យនីមួយៗ ត្រូវបានពិនិត្យទាំងស្រុង (អ្នកណាចុះហត្ថលេខា និងថាគ្មានអ្វីត្រូវបានកែប្រែ) មុនពេលសរសេរអ្វីមួយ។ កញ្ចប់ដែលត្រូវបដិសេធ មិនផ្លាស់ប្តូរអ្វីទាំងអស់។',
  'import.paths': 'ឯកសារកញ្ចប់ទិន្នន័យ មួយបន្ទាត់មួយផ្លូវ',
  'import.pathsHint': 'ផ្លូវពេញ៖ ~/ មានន័យថាថតផ្ទាល់ខ្លួនរបស់អ្នក។',
  'import.pathsMissing': 'សូមផ្តល់ឯកសារកញ្ចប់ទិន្នន័យយ៉ាងហោចណាស់មួយ។',
  'import.start': 'នាំចូល',
  'import.working': 'កំពុងនាំចូល {n} ក្នុងចំណោម {count}៖ {file}',
  'import.results': 'លទ្ធផល',
  'import.imported': 'បាននាំចូលពី «{device}» (កញ្ចប់លេខ {sequence} ចុះហត្ថលេខាជា «{signer}»)',
  'import.new': 'ការកែប្រែថ្មី',
  'import.skipped': 'មានរួចហើយ (រំលង)',
  'import.conflicts': 'ភាពខុសគ្នា',
  'import.gaps': 'ចន្លោះខ្វះ',
  'import.attachments': 'ឯកសារភ្ជាប់ដែលបានរក្សាទុក',
  'import.noGaps': 'គ្មាន',
  'import.missing': 'កញ្ចប់លេខ {list} ពីកុំព្យូទ័រនេះ មិនទាន់មកដល់ទេ',
  'import.outOfOrder': 'កញ្ចប់ក្រោយមួយពីកុំព្យូទ័រនេះ បានមកដល់មុន',
  'import.previousMismatch': 'តំណភ្ជាប់ទៅកញ្ចប់មុន មិនត្រូវគ្នាទេ៖ សូមសួរអ្នកប្រើកុំព្យូទ័រនោះ',
  'import.alreadyImported': 'កញ្ចប់នេះត្រូវបាននាំចូលពីមុនរួចហើយ គ្មានអ្វីផ្លាស់ប្តូរទេ។',
  'import.fingerprint': 'លេខសម្គាល់កញ្ចប់',
  'import.done': 'រួចរាល់៖ បាននាំចូល {ok} បដិសេធ {failed}។',

  'strength.label': 'កម្រិតរឹងមាំ',
  'strength.0': 'ខ្លីពេក',
  'strength.1': 'ខ្សោយ',
  'strength.2': 'មធ្យម',
  'strength.3': 'រឹងមាំ',

  'unlock.title': 'Fieldcase ត្រូវបានចាក់សោ',
  'unlock.passphrase': 'ឃ្លាសម្ងាត់',
  'unlock.submit': 'ដោះសោ',
  'unlock.working': 'កំពុងដោះសោ…',

  'home.title': 'ទំព័រដើម',
  'home.counts': 'កំណត់ត្រានៅលើកុំព្យូទ័រនេះ',
  'home.lock': 'ចាក់សោ',
  'home.autoLock': 'Fieldcase ចាក់សោដោយខ្លួនឯង បន្ទាប់ពីមិនបានប្រើ {minutes} នាទី (ការកំណត់)។',
  'home.loading': 'កំពុងរាប់កំណត់ត្រា…',

  'home.newInterview': 'បទសម្ភាសន៍ថ្មី',
  'home.drafts': 'ការងារមិនទាន់បញ្ចប់',
  'home.noDrafts': 'គ្មានការងារមិនទាន់បញ្ចប់ទេ។',
  'home.draftLabel': '{kind} · {person} · រក្សាទុកនៅ {time}',
  'home.noPerson': 'មិនទាន់ជ្រើសរើសមនុស្ស',
  'home.resume': 'បន្ត',

  'home.sending': 'ការផ្ញើទៅការិយាល័យ',
  'home.awaiting': 'កំពុងរង់ចាំនាំចេញ៖ ការផ្លាស់ប្ដូរ {count} មិនទាន់នៅក្នុងកញ្ចប់ណាមួយ។',
  'home.resend': 'បានផ្ញើ ប៉ុន្តែមិនទាន់មានបង្កាន់ដៃ៖ ការផ្លាស់ប្ដូរ {count}; ការនាំចេញបន្ទាប់នឹងផ្ញើវាម្ដងទៀត។',
  'home.nothingAwaiting': 'គ្មានអ្វីថ្មីរង់ចាំនាំចេញទេ។',
  'home.lastExport': 'ការនាំចេញចុងក្រោយ៖ កញ្ចប់ទី {sequence}, {time}, លេខសម្គាល់ {fingerprint}។',
  'home.noExport': 'មិនទាន់បានសរសេរកញ្ចប់ណាមួយនៅឡើយទេ។',
  'home.receiptAwaited': 'កញ្ចប់ដែលមិនទាន់មានបង្កាន់ដៃពីការិយាល័យ៖ {count}។',
  'home.lastReceipt': 'បង្កាន់ដៃចុងក្រោយពីការិយាល័យ៖ {time}។',

  'home.conflicts': 'ភាពខុសគ្នា',
  'pw.title': 'ឃ្លាសម្ងាត់',
  'pw.hint': 'សូមប្ដូរវា ប្រសិនបើមាននរណាម្នាក់ប្រហែលជាបានឃើញវា។ អ្វីៗទាំងអស់ត្រូវបានអ៊ិនគ្រីបឡើងវិញដោយសោថ្មី ដូច្នេះឃ្លាសម្ងាត់ចាស់លែងបើកអ្វីបានទៀត សូម្បីតែពីឯកសារបម្រុងទុកនៃឯកសារសោក៏ដោយ។ សម្រាប់ប្រវត្តិរូបធំ វាត្រូវការពេលបន្តិច។',
  'pw.current': 'ឃ្លាសម្ងាត់បច្ចុប្បន្ន',
  'pw.new': 'ឃ្លាសម្ងាត់ថ្មី',
  'pw.again': 'ឃ្លាសម្ងាត់ថ្មីម្ដងទៀត',
  'pw.change': 'ប្ដូរឃ្លាសម្ងាត់',
  'pw.working': 'កំពុងប្ដូរ…',
  'pw.done': 'បានប្ដូរហើយ។ សូមប្រើឃ្លាសម្ងាត់ថ្មីចាប់ពីពេលនេះ។',
  'settings.autoLock': 'ការចាក់សោដោយខ្លួនឯង',
  'settings.autoLockLabel': 'ចាក់សោ បន្ទាប់ពីមិនបានប្រើរយៈពេលនេះ',
  'settings.minutes': '{minutes} នាទី',
  'settings.autoLockHint': 'ចងចាំនៅលើកុំព្យូទ័រនេះ។ រយៈពេលខ្លីជាង មានសុវត្ថិភាពជាង នៅកន្លែងដែលគេអាចមើលឃើញ ឬយកកុំព្យូទ័របាន។ ចុច Esc ពីរដង ឬ «លាក់ និងចាក់សោ» ដើម្បីចាក់សោភ្លាម។',
  'settings.language': 'ភាសា',
  'settings.languageLabel': 'ភាសានៃអេក្រង់ទាំងអស់',
  'settings.languageHint': 'ដូចគ្នានឹងប៊ូតុងប្តូរភាសានៅខាងលើបង្អួច។ ចងចាំនៅលើកុំព្យូទ័រនេះ ទោះមុនពេលដោះសោប្រវត្តិរូបក៏ដោយ។',
  'picker.choose': 'ជ្រើសរើស…',
  'picker.failed': 'មិនអាចបើកផ្ទាំងជ្រើសរើសឯកសារបានទេ។ សូមវាយផ្លូវឯកសារជំនួសវិញ។',
  'picker.attachTitle': 'ជ្រើសរើសឯកសារដើម្បីភ្ជាប់',
  'picker.importTitle': 'ជ្រើសរើសកញ្ចប់ដើម្បីនាំចូល',
  'picker.exportTitle': 'កន្លែងរក្សាទុកកញ្ចប់',
  'home.devices': 'កុំព្យូទ័រចុះវាល',
  'devices.title': 'កុំព្យូទ័រចុះវាល និងកញ្ចប់របស់វា',
  'devices.intro': 'កុំព្យូទ័រទាំងអស់ដែលការិយាល័យនេះទុកចិត្ត រួមទាំងកុំព្យូទ័រដែលបានដកការទុកចិត្ត៖ កញ្ចប់ដែលបានទទួលតាមលេខរៀង កញ្ចប់ដែលបាត់ និងបង្កាន់ដៃដែលបានសរសេរត្រឡប់ទៅវិញ។',
  'devices.none': 'មិនទាន់ទុកចិត្តកុំព្យូទ័រចុះវាលណាមួយនៅឡើយទេ (ការកំណត់)។',
  'devices.revoked': 'បានដកការទុកចិត្ត {time}',
  'devices.key': 'សោ {key}',
  'devices.calls': 'ហៅខ្លួនឯងថា “{name}”',
  'devices.lastSeen': 'កញ្ចប់ចុងក្រោយបាននាំចូល {time}',
  'devices.neverSeen': 'មិនទាន់បានទទួលកញ្ចប់ណាមួយទេ',
  'devices.received': 'កញ្ចប់ដែលបានទទួល៖ {count}',
  'devices.missing': 'កញ្ចប់ដែលបាត់៖ {list}។ សូមស្នើអ្នកប្រើកុំព្យូទ័រនោះឱ្យផ្ញើវាម្ដងទៀត។',
  'devices.withoutReceipt': 'មិនទាន់បានសរសេរបង្កាន់ដៃសម្រាប់កញ្ចប់៖ {list}។',
  'devices.bundle': 'កញ្ចប់ទី {n}',
  'devices.gap': 'បាត់',
  'devices.bundleLine': 'សរសេរ {written}, នាំចូល {imported}; ការផ្លាស់ប្ដូរ {changes}, ឯកសារ {files}',
  'devices.chainBroken': 'មិនតបន្តពីកញ្ចប់មុនរបស់វាទេ',
  'devices.receipt': 'បានសរសេរបង្កាន់ដៃ {time}',
  'devices.noReceipt': 'មិនទាន់មានបង្កាន់ដៃ',
  'conflicts.title': 'កំណត់ត្រាដែលបានកែប្រែនៅលើឧបករណ៍ពីរ',
  'conflicts.intro': 'កំណត់ត្រាដដែលត្រូវបានកែប្រែនៅលើឧបករណ៍ពីរ មុនពេលការកែប្រែណាមួយទៅដល់ឧបករណ៍មួយទៀត។ សូមប្រៀបធៀបកំណែទាំងនោះ ហើយរក្សាទុកអ្វីដែលត្រឹមត្រូវ។ កំណែទាំងអស់នៅតែមាននៅក្នុងប្រវត្តិរបស់កំណត់ត្រា។',
  'conflicts.none': 'គ្មានកំណត់ត្រាដែលមានភាពខុសគ្នាទេ។',
  'conflicts.versions': 'កំណែ {count}',
  'conflicts.compare': 'ប្រៀបធៀប',
  'conflicts.version': 'កំណែទី {n}',
  'conflicts.by': '{device} · {author} · {time}',
  'conflicts.unknownDevice': 'ឧបករណ៍មិនស្គាល់',
  'conflicts.deleted': 'ត្រូវបានលុបនៅក្នុងកំណែនេះ',
  'conflicts.take': 'រក្សាកំណែនេះទាំងមូល',
  'conflicts.field': 'វាល',
  'conflicts.absent': '(គ្មាន)',
  'conflicts.noDifferences': 'កំណែទាំងនោះមានតម្លៃដូចគ្នា។ សូមរក្សាកំណែណាមួយទាំងមូល។',
  'conflicts.identityDiffers': 'ផ្នែកអត្តសញ្ញាណដែលត្រូវបានការពារក៏ខុសគ្នាដែរ ប៉ុន្តែមិនបង្ហាញនៅទីនេះទេ។ ការរក្សាកំណែមួយទាំងមូល រក្សាផ្នែកអត្តសញ្ញាណរបស់វា។ ការបញ្ចូលគ្នាតាមវាលនីមួយៗ រក្សាផ្នែកអត្តសញ្ញាណរបស់កំណែថ្មីបំផុត។',
  'conflicts.merge': 'ដោះស្រាយតាមជម្រើសទាំងនេះ',
  'conflicts.back': 'ត្រឡប់ទៅបញ្ជីវិញ',
  'conflicts.confirm': 'ការនេះនឹងលុបវាលដែលកំណែទាំងអស់មាន៖ {fields}។ តើលុបវាឬ?',
  'conflicts.confirmYes': 'លុបវា ហើយដោះស្រាយ',
  'conflicts.cancel': 'បោះបង់',
  'conflicts.resolved': 'បានដោះស្រាយ។ កំណត់ត្រាមានកំណែតែមួយម្ដងទៀត។ កំណែផ្សេងទៀតនៅតែមាននៅក្នុងប្រវត្តិរបស់វា។',

  'iv.title': 'បទសម្ភាសន៍',
  'iv.step.person': 'អ្នកដែលត្រូវសម្ភាសន៍',
  'iv.step.consent': 'ការយល់ព្រម',
  'iv.step.present': 'អ្នកដែលមានវត្តមាន',
  'iv.step.account': 'ការសម្ភាសន៍',
  'iv.person': 'មនុស្ស (ឈ្មោះក្លែងក្លាយ)',
  'iv.personNone': 'ជ្រើសរើសមនុស្ស…',
  'iv.newPseudonym': 'ឬបន្ថែមមនុស្សថ្មី៖ ឈ្មោះក្លែងក្លាយ',
  'iv.newPseudonymHint': 'ឈ្មោះដែលការពារមនុស្សនោះ មិនមែនឈ្មោះពិតរបស់គេទេ។',
  'iv.addPerson': 'បន្ថែមមនុស្ស',
  'iv.choosePerson': 'សូមជ្រើសរើសមនុស្ស ឬបន្ថែមម្នាក់។',
  'iv.continue': 'បន្ត',
  'iv.back': 'ថយក្រោយ',
  'iv.consentIntro':
    'សូមពន្យល់ផ្នែកនីមួយៗដាច់ដោយឡែក ជាភាសាដែលមនុស្សនោះយល់។ គេអាចបដិសេធផ្នែកមួយ ដោយមិនបដិសេធផ្នែកផ្សេងទៀត។',
  'iv.consent.interview': 'យល់ព្រមឲ្យសម្ភាសន៍',
  'iv.consent.recording': 'យល់ព្រមឲ្យថតសំឡេង',
  'iv.consent.sharing_with_police': 'យល់ព្រមឲ្យចែករំលែកជាមួយប៉ូលិស',
  'iv.consent.sharing_with_prosecutors': 'យល់ព្រមឲ្យចែករំលែកជាមួយព្រះរាជអាជ្ញា',
  'iv.explainedBy': 'អ្នកពន្យល់អំពីការយល់ព្រម (ឈ្មោះ ឬលេខកូដបុគ្គលិក)',
  'iv.language': 'ភាសានៃបទសម្ភាសន៍',
  'iv.noConsent': 'គ្មានបទសម្ភាសន៍ ដោយគ្មានការយល់ព្រមឲ្យសម្ភាសន៍ទេ។ អ្នកអាចឈប់ត្រឹមនេះ គ្មានអ្វីត្រូវកត់ត្រាជាបទសម្ភាសន៍ទេ។',
  'iv.explainedByMissing': 'សូមបញ្ជាក់អ្នកដែលបានពន្យល់អំពីការយល់ព្រម។',
  'iv.presentIntro': 'អ្នកទាំងអស់ដែលនៅក្នុងបន្ទប់ តាមតួនាទី។',
  'iv.role': 'តួនាទី',
  'iv.nameOrCode': 'ឈ្មោះ ឬលេខកូដបុគ្គលិក',
  'iv.addPresent': 'បន្ថែមអ្នកដែលមានវត្តមាន',
  'iv.removePresent': 'ដកចេញ',
  'iv.minor': 'មនុស្សនោះមានអាយុក្រោម ១៨ ឆ្នាំ',
  'iv.minorBlocked':
    'កុមារអាចត្រូវបានសម្ភាសន៍ បានតែនៅពេលមានអាណាព្យាបាល ឬបុគ្គលិកសង្គមកិច្ចនៅជាមួយប៉ុណ្ណោះ។ សូមបន្ថែមម្នាក់ មុននឹងបន្ត។',
  'iv.presentNameMissing': 'សូមដាក់ឈ្មោះ ឬលេខកូដបុគ្គលិក សម្រាប់អ្នកដែលមានវត្តមានទាំងអស់។',
  'iv.narrative': 'សម្ដីផ្ទាល់របស់មនុស្សនោះ (ការរៀបរាប់)',
  'iv.narrativeHint': 'សូមសរសេរអ្វីដែលមនុស្សនោះនិយាយ តាមរបៀបដែលគេនិយាយ។',
  'iv.notes': 'កំណត់ចំណាំរបស់អ្នកសម្ភាសន៍',
  'iv.notesHint': 'ការសង្កេត និងការបកស្រាយផ្ទាល់ខ្លួនរបស់អ្នក ដាច់ដោយឡែកពីសម្ដីរបស់គេ។',
  'iv.ilo': 'សូចនាករ ILO នៃពលកម្មដោយបង្ខំ',
  'iv.pause': 'ផ្អាក',
  'iv.resume': 'បន្តវិញ',
  'iv.onBreak': 'កំពុងសម្រាកតាំងពីម៉ោង {time}',
  'iv.breaks': 'ការសម្រាក៖ {count}',
  'iv.end': 'បញ្ចប់បទសម្ភាសន៍',
  'iv.ending': 'កំពុងរក្សាទុកបទសម្ភាសន៍…',
  'iv.saved': 'បានរក្សាទុកនៅ {time}',
  'iv.unsaved': 'មិនទាន់រក្សាទុក',
  'iv.saveFailed': 'មិនអាចរក្សាទុកសេចក្ដីព្រាងបានទេ។',
  'iv.earlier': 'សេចក្ដីថ្លែងការណ៍មុនៗ ({count})',
  'iv.earlierHide': 'លាក់សេចក្ដីថ្លែងការណ៍មុនៗ',
  'iv.earlierNone': 'គ្មានសេចក្ដីថ្លែងការណ៍មុនៗទេ។',
  'iv.earlierEmpty': '(គ្មានការរៀបរាប់ត្រូវបានកត់ត្រា)',
  'iv.close': 'ត្រឡប់ទៅទំព័រដើម (រក្សាសេចក្ដីព្រាង)',
  'iv.done': 'បទសម្ភាសន៍ត្រូវបានរក្សាទុក។',
  'iv.discard': 'បោះបង់សេចក្ដីព្រាង',
  'iv.discardConfirm': 'ពិតជាបោះបង់មែនទេ? អ្វីដែលបានវាយទាំងអស់នឹងបាត់។',

  'role.interviewer': 'អ្នកសម្ភាសន៍',
  'role.social_worker': 'បុគ្គលិកសង្គមកិច្ច',
  'role.guardian': 'ឪពុកម្ដាយ ឬអាណាព្យាបាល',
  'role.interpreter': 'អ្នកបកប្រែ',
  'role.police': 'មន្ត្រីប៉ូលិស',
  'role.lawyer': 'មេធាវី',
  'role.other': 'អ្នកផ្សេងទៀត',

  'ilo.abuse_of_vulnerability': 'ការកេងប្រវ័ញ្ចលើភាពងាយរងគ្រោះ',
  'ilo.deception': 'ការបោកបញ្ឆោត',
  'ilo.restriction_of_movement': 'ការរឹតត្បិតលើការធ្វើដំណើរ',
  'ilo.isolation': 'ការធ្វើឲ្យនៅដាច់ឆ្ងាយ',
  'ilo.physical_and_sexual_violence': 'អំពើហិង្សាផ្លូវកាយ និងផ្លូវភេទ',
  'ilo.intimidation_and_threats': 'ការបំភិតបំភ័យ និងការគំរាមកំហែង',
  'ilo.retention_of_identity_documents': 'ការរឹបអូសឯកសារអត្តសញ្ញាណ',
  'ilo.withholding_of_wages': 'ការកាត់ទុកប្រាក់ឈ្នួល',
  'ilo.debt_bondage': 'បំណុលចំណង',
  'ilo.abusive_working_and_living_conditions': 'លក្ខខណ្ឌការងារ និងការរស់នៅដែលរំលោភបំពាន',
  'ilo.excessive_overtime': 'ការងារបន្ថែមម៉ោងហួសហេតុ',

  'language.km': 'ខ្មែរ',
  'language.en': 'អង់គ្លេស',
  'language.th': 'ថៃ',
  'language.vi': 'វៀតណាម',

  'kind.person': 'មនុស្ស',
  'kind.establishment': 'ទីតាំងអាជីវកម្ម',
  'kind.visit': 'ការចុះពិនិត្យ',
  'kind.interview': 'បទសម្ភាសន៍',
  'kind.case': 'សំណុំរឿង',
  'kind.referral': 'ការបញ្ជូនបន្ត',
  'kind.attachment': 'ឯកសារភ្ជាប់',

  'error.detail': 'ព័ត៌មានលម្អិត',
  'error.wrong_passphrase':
    'ឃ្លាសម្ងាត់នេះ មិនអាចបើកប្រវត្តិរូបនេះបានទេ។ សូមពិនិត្យភាសាក្តារចុច និង Caps Lock ហើយព្យាយាមម្តងទៀត។',
  'error.passphrase_needed': 'ជំហាននេះ ត្រូវការឃ្លាសម្ងាត់របស់អ្នកម្តងទៀត។',
  'reauth.title': 'វាយឃ្លាសម្ងាត់របស់អ្នកម្តងទៀត',
  'reauth.why':
    'ជំហាននេះ ផ្លាស់ប្តូរអ្នកដែលប្រវត្តិរូបនេះទុកចិត្ត ឬអ្វីដែលចេញពីវា ដូច្នេះវាត្រូវការឃ្លាសម្ងាត់ម្តងទៀត៖ មួយនាទីនៅកុំព្យូទ័រដែលមិនបានចាក់សោ មិនគ្រប់គ្រាន់ទេ។',
  'reauth.passphrase': 'ឃ្លាសម្ងាត់',
  'reauth.confirm': 'បញ្ជាក់',
  'reauth.checking': 'កំពុងពិនិត្យ…',
  'reauth.cancel': 'បោះបង់',
  'reauth.wrong': 'ឃ្លាសម្ងាត់នេះ មិនអាចបើកប្រវត្តិរូបនេះបានទេ។ គ្មានអ្វីត្រូវបានធ្វើទេ។ សូមព្យាយាមម្តងទៀត ឬបោះបង់។',
  'error.unlock_delayed':
    'ឃ្លាសម្ងាត់ខុសច្រើនដងជាប់ៗគ្នា។ សូមរង់ចាំបន្តិច (ព័ត៌មានលម្អិតប្រាប់ថារយៈពេលប៉ុន្មាន) ហើយព្យាយាមម្តងទៀត។',
  'error.no_profile': 'មិនទាន់មានប្រវត្តិរូប នៅលើកុំព្យូទ័រនេះនៅឡើយទេ។',
  'error.profile_exists': 'មានប្រវត្តិរូបរួចហើយ នៅលើកុំព្យូទ័រនេះ។',
  'error.in_use': 'ប្រវត្តិរូបនេះ កំពុងបើកនៅក្នុងបង្អួច ឬពាក្យបញ្ជា Fieldcase ផ្សេងទៀត។ សូមបិទវា ហើយព្យាយាមម្តងទៀត។',
  'error.invalid': 'ព័ត៌មានដែលបានបញ្ចូល មិនត្រឹមត្រូវ។',
  'error.not_found': 'រកមិនឃើញ។',
  'error.conflict': 'កំណត់ត្រានេះ ត្រូវបានកែប្រែនៅលើកុំព្យូទ័រពីរ។ សូមដោះស្រាយភាពខុសគ្នានេះ មុនពេលកែវា។',
  'error.store_damaged': 'ទិន្នន័យដែលបានរក្សាទុក ត្រូវបានខូច។ សូមទុកថតឯកសារនោះដដែល ហើយសុំជំនួយពីការិយាល័យ។',
  'error.newer_version': 'ទិន្នន័យនេះ ត្រូវបានសរសេរដោយ Fieldcase ជំនាន់ថ្មីជាង។ សូមធ្វើបច្ចុប្បន្នភាព Fieldcase។',
  'error.disk_full': 'ថាសពេញ គ្មានអ្វីត្រូវបានរក្សាទុកទេ។ សូមបង្កើនទំហំទំនេរ ហើយព្យាយាមម្តងទៀត។',
  'error.locked': 'Fieldcase ត្រូវបានចាក់សោ។',
  'error.busy': 'កំពុងនាំចេញ ឬនាំចូល។ សូមរង់ចាំឲ្យវាបញ្ចប់។',
  'error.no_recipient': 'មិនទាន់បានកំណត់សោការិយាល័យទេ។ សូមបន្ថែមសោរបស់ការិយាល័យនៅក្នុងការកំណត់ជាមុនសិន។',
  'error.nothing_to_export':
    'គ្មានអ្វីថ្មីត្រូវផ្ញើទេ៖ ការិយាល័យបានបញ្ជាក់ថាបានទទួលអ្វីៗទាំងអស់ហើយ។ សូមជ្រើសរើស «អ្វីៗទាំងអស់នៅលើកុំព្យូទ័រនេះ» ដើម្បីផ្ញើទាំងអស់ម្តងទៀត។',
  'error.not_an_office': 'ប្រវត្តិរូបនេះមិនមែនជាការិយាល័យទេ ដូច្នេះមិនអាចបើកកញ្ចប់ទិន្នន័យបានទេ។',
  'error.untrusted':
    'កញ្ចប់នេះត្រូវបានចុះហត្ថលេខាដោយកុំព្យូទ័រ ដែលការិយាល័យនេះមិនទុកចិត្ត គ្មានអ្វីត្រូវបាននាំចូលទេ។ បើអ្នកស្គាល់កុំព្យូទ័រនោះ សូមបន្ថែមវានៅក្នុងការកំណត់។',
  'error.bundle_refused': 'កញ្ចប់នេះត្រូវបានបដិសេធ គ្មានអ្វីត្រូវបាននាំចូលទេ។',
  'error.file_exists': 'មានឯកសារឈ្មោះនេះរួចហើយ គ្មានអ្វីត្រូវបានសរសេរទេ។ សូមជ្រើសរើសឈ្មោះផ្សេង។',
  'error.file_error': 'មិនអាចអាន ឬសរសេរឯកសារនោះបានទេ។ សូមពិនិត្យផ្លូវ។',
  'error.internal': 'មានបញ្ហាមិនរំពឹងទុក។',

  ...visitsKm,
  ...casesKm,
  ...receiptsKm,
  ...reportsKm,
  ...codesKm,
}

export const tables: Record<Lang, Record<Key, string>> = { en, km }

export type Params = Record<string, string | number>

/** The text for `key` in `lang`, with `{name}` placeholders filled from `params`. */
export function translate(lang: Lang, key: Key, params: Params = {}): string {
  const text = tables[lang][key] ?? tables.en[key] ?? key
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** The key for a backend error code's sentence. */
export function errorKey(code: ErrorCode): Key {
  return `error.${code}` as Key
}

/** The key for a record kind's plural name. */
export function kindKey(kind: RecordKind): Key {
  return `kind.${kind}` as Key
}

const STORAGE_KEY = 'fieldcase.lang'

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value)
}

/** The remembered language, or English when none (or something else) is stored. */
export function readLang(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Lang {
  try {
    const saved = storage?.getItem(STORAGE_KEY)
    if (isLang(saved)) return saved
  } catch {
    // No storage (tests, or storage disabled): fall back to English.
  }
  return 'en'
}

/** The language in use: the top bar's switch and Settings both show and set it. */
export const lang = writable<Lang>(readLang())

/** `$t('key', {param})` in components. */
export const t = derived(lang, (l) => (key: Key, params?: Params) => translate(l, key, params))

/** Switches the language now and remembers it (the choice is not sensitive). Anything but a
 * known language is ignored. */
export function setLang(next: string, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  if (!isLang(next)) return
  lang.set(next)
  try {
    storage?.setItem(STORAGE_KEY, next)
  } catch {
    // Not remembered; it still applies to this run.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next
}
