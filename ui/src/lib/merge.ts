// A conflict merged field by field: one version's body with, at each field where
// the versions differ, the value the user chose. Pure, so it is tested apart.

/** The keys of an RFC 6901 JSON pointer (`/location/city` → ['location', 'city']). */
export function pointerKeys(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
}

type Body = Record<string, unknown>

/** A deep copy of JSON data. Not structuredClone: Svelte's reactive state is a Proxy, which
 * structuredClone refuses. */
function copy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `base` (copied, never changed) with each choice's value set at its pointer; a value of
 * `null` removes that field (the version chosen has none). */
export function mergeBody(base: Body, choices: { path: string; value: unknown }[]): Body {
  const merged = copy(base) as Body
  for (const { path, value } of choices) {
    const keys = pointerKeys(path)
    if (keys.length === 0) continue
    let at: Body = merged
    for (const key of keys.slice(0, -1)) {
      if (!isObject(at[key])) at[key] = {}
      at = at[key] as Body
    }
    const last = keys[keys.length - 1]
    if (value === null || value === undefined) delete at[last]
    else at[last] = copy(value)
  }
  return merged
}

/** A value as one short line for a side-by-side table. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}
