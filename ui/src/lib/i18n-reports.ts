// The office's Reports screen (prevalence, casework, files for partners) and
// the Conflicts screen's field names: their strings in English and Khmer,
// merged into the tables of i18n.ts. Kept in their own file so other screens'
// strings merge without conflicts.
//
// The Khmer is a first draft by a non-native writer: a native speaker on the
// team must review it before use (especially the statistical wording: share,
// interval, unweighted, small-cell rule).

export const reportsEn = {
  'home.reports': 'Reports',

  'rep.title': 'Reports',
  'rep.intro':
    'Figures from the records this office holds: each record as it stands now; deleted records are left out.',
  'rep.filters': 'What to count',
  'rep.which': 'Report',
  'rep.prevalence': 'Minors among people observed (prevalence counts)',
  'rep.casework': 'Casework',
  'rep.by': 'Group by',
  'rep.by.month': 'Month',
  'rep.by.quarter': 'Quarter',
  'rep.by.year': 'Year',
  'rep.place': 'Places by',
  'rep.place.city': 'City or town',
  'rep.place.province': 'Province',
  'rep.from': 'From (first day)',
  'rep.to': 'To (last day)',
  'rep.dateHint': 'Write dates as YYYY-MM-DD, for example 2026-03-01. Leave empty for no limit.',
  'rep.badDate': 'Write the date as YYYY-MM-DD (for example 2026-03-01), or leave it empty.',
  'rep.lower': 'Lower the small-cell threshold (written to the audit log)',
  'rep.minCell': 'Withhold cells describing fewer people than',
  'rep.minCellHint':
    'The default is {n}: a smaller cell could point to the people in it. A lower number is written to the audit log each time a report uses it.',
  'rep.run': 'Show the report',
  'rep.working': 'Counting…',
  'rep.withheld': 'withheld',
  'rep.withheldNote':
    '“withheld”: a cell describing fewer than {n} people, or one that would let such a cell be worked out.',
  'rep.unweighted':
    'Unweighted counts: every person observed counts once and every establishment visited counts the same, whatever its sampling stratum. These are not population estimates.',
  'rep.sharesNote':
    'Shares are of the people whose age band was judged; people of unknown age are counted beside them, not in the share. Brackets hold the 95 % Wilson interval.',
  'rep.emptyPrevalence': 'No prevalence-count visits in this range.',
  'rep.emptyCasework': 'No interviews, referrals or cases in this range.',
  'rep.noInterval': 'no interval',
  'rep.noShare': 'no share',
  'rep.period': 'Period',
  'rep.visits': 'Visits',
  'rep.establishments': 'Establishments visited',
  'rep.people': 'People observed',
  'rep.under16': '15 and under',
  'rep.age1617': '16–17',
  'rep.unknownAge': 'Age unknown',
  'rep.shareUnder16': 'Share 15 and under',
  'rep.share1617': 'Share 16–17',
  'rep.interval': '{share} ({low}–{high} %)',
  'rep.trendTitle': '{place}: share 15 and under and share 16–17 by period, with 95 % intervals',
  'rep.trendDesc':
    'Lines show each share by period and shaded bands its 95 % interval. A period where nobody’s age was judged has no point. The table holds the same figures.',
  'rep.pointTitle': '{period}: {share}',
  'rep.byPeriod': 'By period',
  'rep.interviews': 'Interviews held',
  'rep.peopleInterviewed': 'People interviewed',
  'rep.victims': 'Victims identified',
  'rep.referralsMade': 'Referrals made',
  'rep.referralsCompleted': 'Referrals completed',
  'rep.casesOpened': 'Cases opened',
  'rep.arrests': 'Arrests',
  'rep.convictions': 'Convictions',
  'rep.barTitle': 'Interviews, victims identified and referrals by period',
  'rep.barDesc':
    'For each period, bars for interviews held, victims identified, referrals made and referrals completed. The table holds the same figures; a withheld cell has no bar.',
  'rep.barTitleOne': '{period}, {series}: {value}',
  'rep.ilo': 'ILO indicators of forced labour',
  'rep.iloIntro':
    'Over the whole range: people with the indicator in at least one interview, of the {n} people interviewed.',
  'rep.indicator': 'Indicator',
  'rep.iloPeople': 'People',
  'rep.iloInterviews': 'Interviews',
  'rep.iloShare': 'Share of people interviewed',
  'rep.status': 'Cases by status',
  'rep.statusIntro': 'Cases opened in the range, by where they stand now.',
  'rep.statusCol': 'Status',
  'rep.htcds': 'HTCDS status',
  'rep.cases': 'Cases',

  'rep.partnerSmallCells':
    'The report above shows cells of fewer than {min} people (threshold {n}). A file for partners keeps the usual threshold of {min} unless you tick below.',
  'rep.partnerSmallCellsTick': 'Send cells of {n} or more people to partners in this file (logged)',
  'rep.partner': 'A file for partners (CSV)',
  'rep.partnerIntro':
    'The tables of the report shown (small cells withheld), or one row per record. docs/reports.md describes the columns. Every file written is recorded in the audit log.',
  'rep.partnerWhat': 'What to write',
  'rep.partnerReport': 'The tables of the report shown',
  'rep.partnerRecords': 'One row per record',
  'rep.partnerKind': 'Which records',
  'rep.identities':
    'Include identities (pseudonyms, legal names, birth dates, identity documents); this is written to the audit log',
  'rep.identitiesWarn':
    'The file will say who these people are. Write it only for a partner entitled to it, and send it only by a safe route.',
  'rep.path': 'Save the CSV file as',
  'rep.pathHint': 'A full path; ~/ means your home folder. The file must not exist yet.',
  'rep.pathMissing': 'Give the path of the file to write.',
  'rep.write': 'Write the CSV file',
  'rep.writing': 'Writing…',
  'rep.written': 'Written to {path} ({bytes} bytes).',
  'rep.writtenRows': 'Written to {path}: {rows} rows.',
  'rep.leftOut': '{n} interview(s) left out: their interview consent was withdrawn.',
  'rep.back': 'Back to home',

  'conflicts.pathTitle': 'Field in the record: {path}',
} as const

export type ReportsKey = keyof typeof reportsEn

export const reportsKm: Record<ReportsKey, string> = {
  'home.reports': 'របាយការណ៍',

  'rep.title': 'របាយការណ៍',
  'rep.intro':
    'តួលេខពីកំណត់ត្រាដែលការិយាល័យនេះរក្សាទុក៖ កំណត់ត្រានីមួយៗតាមស្ថានភាពបច្ចុប្បន្ន កំណត់ត្រាដែលបានលុបមិនត្រូវបានរាប់ទេ។',
  'rep.filters': 'អ្វីដែលត្រូវរាប់',
  'rep.which': 'របាយការណ៍',
  'rep.prevalence': 'អនីតិជនក្នុងចំណោមមនុស្សដែលបានសង្កេតឃើញ (ការរាប់អត្រា)',
  'rep.casework': 'ការងារសំណុំរឿង',
  'rep.by': 'ដាក់ជាក្រុមតាម',
  'rep.by.month': 'ខែ',
  'rep.by.quarter': 'ត្រីមាស',
  'rep.by.year': 'ឆ្នាំ',
  'rep.place': 'ទីកន្លែងតាម',
  'rep.place.city': 'ទីក្រុង ឬទីប្រជុំជន',
  'rep.place.province': 'ខេត្ត',
  'rep.from': 'ចាប់ពី (ថ្ងៃដំបូង)',
  'rep.to': 'ដល់ (ថ្ងៃចុងក្រោយ)',
  'rep.dateHint': 'សរសេរកាលបរិច្ឆេទជា YYYY-MM-DD ឧទាហរណ៍ 2026-03-01។ ទុកទទេប្រសិនបើគ្មានដែនកំណត់។',
  'rep.badDate': 'សរសេរកាលបរិច្ឆេទជា YYYY-MM-DD (ឧទាហរណ៍ 2026-03-01) ឬទុកវាទទេ។',
  'rep.lower': 'បន្ថយកម្រិតក្រឡាតូច (ត្រូវបានកត់ត្រាក្នុងកំណត់ហេតុសវនកម្ម)',
  'rep.minCell': 'លាក់ក្រឡាដែលពិពណ៌នាមនុស្សតិចជាង',
  'rep.minCellHint':
    'លំនាំដើមគឺ {n}៖ ក្រឡាតូចជាងនេះអាចចង្អុលទៅមនុស្សនៅក្នុងវា។ លេខទាបជាងនេះត្រូវបានកត់ត្រាក្នុងកំណត់ហេតុសវនកម្មរាល់ពេលដែលរបាយការណ៍ប្រើវា។',
  'rep.run': 'បង្ហាញរបាយការណ៍',
  'rep.working': 'កំពុងរាប់…',
  'rep.withheld': 'បានលាក់',
  'rep.withheldNote':
    '«បានលាក់»៖ ក្រឡាដែលពិពណ៌នាមនុស្សតិចជាង {n} នាក់ ឬក្រឡាដែលអាចឲ្យគេគណនាក្រឡាបែបនោះវិញបាន។',
  'rep.unweighted':
    'ចំនួនមិនមានទម្ងន់៖ មនុស្សម្នាក់ៗដែលបានសង្កេតឃើញរាប់ម្តង ហើយទីតាំងនីមួយៗដែលបានចុះពិនិត្យរាប់ស្មើគ្នា មិនថាស្រទាប់គំរូណាក៏ដោយ។ ទាំងនេះមិនមែនជាការប៉ាន់ស្មានប្រជាជនទេ។',
  'rep.sharesNote':
    'ចំណែកគឺលើមនុស្សដែលក្រុមអាយុរបស់ពួកគេត្រូវបានវិនិច្ឆ័យ មនុស្សដែលមិនដឹងអាយុត្រូវបានរាប់នៅក្បែរ មិនមែនក្នុងចំណែកទេ។ ក្នុងវង់ក្រចកគឺចន្លោះ Wilson 95 %។',
  'rep.emptyPrevalence': 'គ្មានការចុះរាប់អត្រាក្នុងរយៈពេលនេះទេ។',
  'rep.emptyCasework': 'គ្មានបទសម្ភាសន៍ ការបញ្ជូន ឬសំណុំរឿងក្នុងរយៈពេលនេះទេ។',
  'rep.noInterval': 'គ្មានចន្លោះ',
  'rep.noShare': 'គ្មានចំណែក',
  'rep.period': 'រយៈពេល',
  'rep.visits': 'ការចុះពិនិត្យ',
  'rep.establishments': 'ទីតាំងដែលបានចុះពិនិត្យ',
  'rep.people': 'មនុស្សដែលបានសង្កេតឃើញ',
  'rep.under16': 'អាយុ ១៥ ឆ្នាំ និងក្រោម',
  'rep.age1617': 'អាយុ ១៦–១៧ ឆ្នាំ',
  'rep.unknownAge': 'មិនដឹងអាយុ',
  'rep.shareUnder16': 'ចំណែកអាយុ ១៥ ឆ្នាំ និងក្រោម',
  'rep.share1617': 'ចំណែកអាយុ ១៦–១៧ ឆ្នាំ',
  'rep.interval': '{share} ({low}–{high} %)',
  'rep.trendTitle': '{place}៖ ចំណែកអាយុ ១៥ ឆ្នាំ និងក្រោម និងអាយុ ១៦–១៧ ឆ្នាំ តាមរយៈពេល ជាមួយចន្លោះ 95 %',
  'rep.trendDesc':
    'ខ្សែបង្ហាញចំណែកនីមួយៗតាមរយៈពេល ហើយផ្ទៃពណ៌បង្ហាញចន្លោះ 95 % របស់វា។ រយៈពេលដែលគ្មាននរណាម្នាក់ត្រូវបានវិនិច្ឆ័យអាយុ គ្មានចំណុចទេ។ តារាងមានតួលេខដូចគ្នា។',
  'rep.pointTitle': '{period}៖ {share}',
  'rep.byPeriod': 'តាមរយៈពេល',
  'rep.interviews': 'បទសម្ភាសន៍ដែលបានធ្វើ',
  'rep.peopleInterviewed': 'មនុស្សដែលបានសម្ភាសន៍',
  'rep.victims': 'ជនរងគ្រោះដែលបានកំណត់អត្តសញ្ញាណ',
  'rep.referralsMade': 'ការបញ្ជូនដែលបានធ្វើ',
  'rep.referralsCompleted': 'ការបញ្ជូនដែលបានបញ្ចប់',
  'rep.casesOpened': 'សំណុំរឿងដែលបានបើក',
  'rep.arrests': 'ការចាប់ខ្លួន',
  'rep.convictions': 'ការផ្តន្ទាទោស',
  'rep.barTitle': 'បទសម្ភាសន៍ ជនរងគ្រោះដែលបានកំណត់អត្តសញ្ញាណ និងការបញ្ជូន តាមរយៈពេល',
  'rep.barDesc':
    'សម្រាប់រយៈពេលនីមួយៗ របារសម្រាប់បទសម្ភាសន៍ ជនរងគ្រោះដែលបានកំណត់អត្តសញ្ញាណ ការបញ្ជូនដែលបានធ្វើ និងការបញ្ជូនដែលបានបញ្ចប់។ តារាងមានតួលេខដូចគ្នា ក្រឡាដែលបានលាក់គ្មានរបារទេ។',
  'rep.barTitleOne': '{period}, {series}៖ {value}',
  'rep.ilo': 'សូចនាករ ILO នៃពលកម្មដោយបង្ខំ',
  'rep.iloIntro':
    'ពេញរយៈពេល៖ មនុស្សដែលមានសូចនាករនេះក្នុងបទសម្ភាសន៍យ៉ាងហោចណាស់មួយ ក្នុងចំណោមមនុស្ស {n} នាក់ដែលបានសម្ភាសន៍។',
  'rep.indicator': 'សូចនាករ',
  'rep.iloPeople': 'មនុស្ស',
  'rep.iloInterviews': 'បទសម្ភាសន៍',
  'rep.iloShare': 'ចំណែកនៃមនុស្សដែលបានសម្ភាសន៍',
  'rep.status': 'សំណុំរឿងតាមស្ថានភាព',
  'rep.statusIntro': 'សំណុំរឿងដែលបានបើកក្នុងរយៈពេលនេះ តាមស្ថានភាពបច្ចុប្បន្ន។',
  'rep.statusCol': 'ស្ថានភាព',
  'rep.htcds': 'ស្ថានភាព HTCDS',
  'rep.cases': 'សំណុំរឿង',

  'rep.partnerSmallCells':
    'របាយការណ៍ខាងលើបង្ហាញក្រឡាដែលមានមនុស្សតិចជាង {min} នាក់ (កម្រិត {n})។ ឯកសារសម្រាប់ដៃគូរក្សាកម្រិតធម្មតា {min} លុះត្រាតែអ្នកធីកខាងក្រោម។',
  'rep.partnerSmallCellsTick': 'ផ្ញើក្រឡាដែលមានមនុស្ស {n} នាក់ ឬច្រើនជាងនេះ ទៅដៃគូក្នុងឯកសារនេះ (កត់ត្រាទុក)',
  'rep.partner': 'ឯកសារសម្រាប់ដៃគូ (CSV)',
  'rep.partnerIntro':
    'តារាងនៃរបាយការណ៍ដែលបានបង្ហាញ (ក្រឡាតូចត្រូវបានលាក់) ឬមួយជួរក្នុងមួយកំណត់ត្រា។ docs/reports.md ពិពណ៌នាអំពីជួរឈរ។ ឯកសារនីមួយៗដែលបានសរសេរត្រូវបានកត់ត្រាក្នុងកំណត់ហេតុសវនកម្ម។',
  'rep.partnerWhat': 'អ្វីដែលត្រូវសរសេរ',
  'rep.partnerReport': 'តារាងនៃរបាយការណ៍ដែលបានបង្ហាញ',
  'rep.partnerRecords': 'មួយជួរក្នុងមួយកំណត់ត្រា',
  'rep.partnerKind': 'កំណត់ត្រាណា',
  'rep.identities':
    'រួមបញ្ចូលអត្តសញ្ញាណ (ឈ្មោះក្លែងក្លាយ ឈ្មោះស្របច្បាប់ ថ្ងៃខែឆ្នាំកំណើត ឯកសារអត្តសញ្ញាណ) ការនេះត្រូវបានកត់ត្រាក្នុងកំណត់ហេតុសវនកម្ម',
  'rep.identitiesWarn':
    'ឯកសារនេះនឹងប្រាប់ថាមនុស្សទាំងនេះជានរណា។ សរសេរវាសម្រាប់តែដៃគូដែលមានសិទ្ធិ ហើយផ្ញើវាតាមផ្លូវដែលមានសុវត្ថិភាពប៉ុណ្ណោះ។',
  'rep.path': 'រក្សាទុកឯកសារ CSV ជា',
  'rep.pathHint': 'ផ្លូវពេញលេញ ~/ មានន័យថាថតផ្ទះរបស់អ្នក។ ឯកសារមិនត្រូវមានរួចហើយទេ។',
  'rep.pathMissing': 'សូមផ្តល់ផ្លូវនៃឯកសារដែលត្រូវសរសេរ។',
  'rep.write': 'សរសេរឯកសារ CSV',
  'rep.writing': 'កំពុងសរសេរ…',
  'rep.written': 'បានសរសេរទៅ {path} ({bytes} បៃ)។',
  'rep.writtenRows': 'បានសរសេរទៅ {path}៖ {rows} ជួរ។',
  'rep.leftOut': 'បទសម្ភាសន៍ {n} ត្រូវបានទុកចោល៖ ការយល់ព្រមសម្ភាសន៍របស់ពួកគេត្រូវបានដកវិញ។',
  'rep.back': 'ត្រឡប់ទៅទំព័រដើម',

  'conflicts.pathTitle': 'វាលក្នុងកំណត់ត្រា៖ {path}',
}
