// Every visible string, in English and Khmer. Components read them through
// `$t('key')`; the language switches at runtime with `setLang`. The Khmer
// table is typed against the English one, so a missing key fails the build,
// and a test checks both tables carry the same {placeholders}.
//
// The Khmer wording is a first draft: a native speaker on the team should
// review it before field use.

import { derived, writable } from 'svelte/store'
import type { ErrorCode, RecordKind } from './backend'

export const LANGS = ['en', 'km'] as const
export type Lang = (typeof LANGS)[number]

/** Each language's own name, shown in the switch. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', km: 'ខ្មែរ' }

const en = {
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
  'home.autoLock': 'Fieldcase locks itself after {minutes} minutes without use.',
  'home.loading': 'Counting records…',

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
  'error.internal': 'Something unexpected went wrong.',
} as const

export type Key = keyof typeof en

const km: Record<Key, string> = {
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
  'home.autoLock': 'Fieldcase ចាក់សោដោយខ្លួនឯង បន្ទាប់ពីមិនបានប្រើ {minutes} នាទី។',
  'home.loading': 'កំពុងរាប់កំណត់ត្រា…',

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
  'error.internal': 'មានបញ្ហាមិនរំពឹងទុក។',
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

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (isLang(saved)) return saved
  } catch {
    // No storage (tests, or storage disabled): fall back to English.
  }
  return 'en'
}

/** The language in use. */
export const lang = writable<Lang>(initialLang())

/** `$t('key', {param})` in components. */
export const t = derived(lang, (l) => (key: Key, params?: Params) => translate(l, key, params))

/** Switches the language now and remembers it (the choice is not sensitive). */
export function setLang(next: Lang): void {
  lang.set(next)
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next)
  } catch {
    // Not remembered; it still applies to this run.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next
}
