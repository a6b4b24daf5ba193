// The geometry of the Reports screen's charts, as pure functions: scales, the
// trend line with its 95 % interval band, and bars. Svelte draws the SVG from
// what these return. No chart library: the CSP forbids inline styles (which
// chart libraries set), our figures are few, and a hand-made SVG with a
// <title> and the data table beside it is accessible.

/** The drawing area: the SVG's size and the margins left for the axes. */
export interface Box {
  width: number
  height: number
  top: number
  right: number
  bottom: number
  left: number
}

export const TREND_BOX: Box = { width: 520, height: 200, top: 12, right: 16, bottom: 36, left: 48 }
export const BAR_BOX: Box = { width: 560, height: 220, top: 12, right: 16, bottom: 44, left: 48 }

/** A share with its interval, as the core sends it (`null`: no interval, or withheld). */
export interface Share {
  share: number
  low: number
  high: number
}

/** A linear map from `domain` to `range`; a zero-width domain maps everything to the range's start. */
export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain
  const [r0, r1] = range
  const span = d1 - d0
  return (v) => (span === 0 ? r0 : r0 + ((v - d0) / span) * (r1 - r0))
}

/** Rounds to two decimals: paths stay short and tests can name exact strings. */
export function round(v: number): number {
  return Math.round(v * 100) / 100
}

/** The top of the share axis: the highest upper bound rounded up to a tenth (at least 0.1, at most 1),
 * so small shares are not drawn flat against a 0–100 % axis. */
export function shareMax(series: (Share | null)[]): number {
  const highest = Math.max(0, ...series.filter((s): s is Share => s !== null).map((s) => s.high))
  return Math.min(1, Math.max(0.1, Math.ceil(highest * 10 - 1e-9) / 10))
}

/** The x of the centre of slot `i` of `n` across the box. */
export function slotX(i: number, n: number, box: Box): number {
  const inner = box.width - box.left - box.right
  return box.left + (n <= 0 ? 0 : ((i + 0.5) * inner) / n)
}

/** One drawn point of a trend: its period's index, the share's y and the interval's ys. */
export interface TrendPoint {
  index: number
  x: number
  y: number
  low: number
  high: number
}

export interface Trend {
  /** The drawn points (periods with a share only). */
  points: TrendPoint[]
  /** The line through the points, broken where a period has no share; '' when none. */
  line: string
  /** The interval band (upper bounds along, lower bounds back), one closed shape per unbroken run; '' when none. */
  band: string
  /** The share axis runs from 0 to this. */
  max: number
  /** The y of a share (for axis ticks). */
  y: (share: number) => number
}

/** Splits points into runs of consecutive periods. */
function runs(points: TrendPoint[]): TrendPoint[][] {
  const out: TrendPoint[][] = []
  for (const p of points) {
    const last = out[out.length - 1]
    if (last && last[last.length - 1].index === p.index - 1) last.push(p)
    else out.push([p])
  }
  return out
}

const xy = (x: number, y: number) => `${round(x)},${round(y)}`

/** A trend chart's geometry for one place: one slot per period, `null` where a period has no share.
 * `dx` shifts the series sideways, so two series with equal shares stay apart. */
export function trend(series: (Share | null)[], box: Box = TREND_BOX, max = shareMax(series), dx = 0): Trend {
  const y = linear([0, max], [box.height - box.bottom, box.top])
  const points: TrendPoint[] = []
  series.forEach((s, index) => {
    if (s === null || !Number.isFinite(s.share)) return
    points.push({ index, x: slotX(index, series.length, box) + dx, y: y(s.share), low: y(s.low), high: y(s.high) })
  })
  const parts = runs(points)
  const line = parts.map((run) => run.map((p, i) => `${i === 0 ? 'M' : 'L'}${xy(p.x, p.y)}`).join(' ')).join(' ')
  const band = parts
    .map((run) => {
      // A single period's band is a thin bar a few pixels wide, so it still shows.
      const pts =
        run.length === 1
          ? [
              { ...run[0], x: run[0].x - 3 },
              { ...run[0], x: run[0].x + 3 },
            ]
          : run
      const upper = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${xy(p.x, p.high)}`)
      const lower = [...pts].reverse().map((p) => `L${xy(p.x, p.low)}`)
      return [...upper, ...lower, 'Z'].join(' ')
    })
    .join(' ')
  return { points, line, band, max, y }
}

/** A bar of a grouped bar chart. */
export interface Bar {
  /** The period's index. */
  index: number
  /** The series' index within the group. */
  series: number
  value: number
  x: number
  y: number
  width: number
  height: number
}

/** A round top for a count axis: 1, 2 or 5 times a power of ten, at least `highest` (and at least 1). */
export function niceMax(highest: number): number {
  if (!(highest > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(highest))
  for (const step of [1, 2, 5, 10]) if (step * power >= highest) return step * power
  return 10 * power
}

/** Grouped bars: one group per period, one bar per series; `null` values (withheld) and zeros draw no bar. */
export function bars(groups: (number | null)[][], box: Box = BAR_BOX): { bars: Bar[]; max: number; y: (v: number) => number } {
  const values = groups.flat().filter((v): v is number => v !== null && Number.isFinite(v))
  const max = niceMax(Math.max(0, ...values))
  const y = linear([0, max], [box.height - box.bottom, box.top])
  const n = groups.length
  const slot = n === 0 ? 0 : (box.width - box.left - box.right) / n
  const out: Bar[] = []
  groups.forEach((group, index) => {
    const width = group.length === 0 ? 0 : (slot * 0.8) / group.length
    const start = slotX(index, n, box) - (width * group.length) / 2
    group.forEach((value, series) => {
      if (value === null || !(value > 0)) return
      out.push({
        index,
        series,
        value,
        x: round(start + series * width),
        y: round(y(value)),
        width: round(Math.max(1, width - 1)),
        height: round(y(0) - y(value)),
      })
    })
  })
  return { bars: out, max, y }
}

/** A share as a percentage number with one decimal, no unit (`12.5`). */
export function percentNumber(v: number): string {
  return (Math.round(v * 1000) / 10).toFixed(1)
}

/** A share as a percentage with one decimal (`12.5 %`). */
export function percent(v: number): string {
  return `${percentNumber(v)} %`
}
