import { describe, expect, it } from 'vitest'
import { guarded, presentProblem, resumeStep } from './interview'

const interviewer = { role: 'interviewer', name_or_code: 'SW-02' }

describe('people present', () => {
  it('blocks a minor without a named guardian or social worker', () => {
    expect(presentProblem([interviewer], true)).toBe('iv.minorBlocked')
    expect(presentProblem([interviewer, { role: 'guardian', name_or_code: ' ' }], true)).toBe(
      'iv.presentNameMissing',
    )
    expect(presentProblem([interviewer, { role: 'interpreter', name_or_code: 'T-1' }], true)).toBe(
      'iv.minorBlocked',
    )
    expect(presentProblem([interviewer, { role: 'guardian', name_or_code: 'ម្ដាយ' }], true)).toBeNull()
    expect(presentProblem([interviewer, { role: 'social_worker', name_or_code: 'SW-11' }], true)).toBeNull()
  })

  it('lets an adult go on with anyone named', () => {
    expect(presentProblem([interviewer], false)).toBeNull()
    expect(guarded([interviewer])).toBe(false)
  })
})

describe('resuming a draft', () => {
  const ready = {
    personId: 'p',
    interviewConsent: true,
    explainedBy: 'SW-02',
    present: [interviewer],
    minor: false,
  }

  it('opens at the first step not passed yet', () => {
    expect(resumeStep({ ...ready, personId: '' })).toBe('person')
    expect(resumeStep({ ...ready, interviewConsent: false })).toBe('consent')
    expect(resumeStep({ ...ready, explainedBy: '' })).toBe('consent')
    expect(resumeStep({ ...ready, present: [{ role: 'interviewer', name_or_code: '' }] })).toBe('present')
    expect(resumeStep({ ...ready, minor: true })).toBe('present')
    expect(resumeStep(ready)).toBe('account')
  })
})
