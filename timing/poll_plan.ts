/**
 * The planner behind `LearnedSchedule`: from an estimate of job durations,
 * the poll times that spend the fewest requests for a 95th-percentile
 * detection latency, or the lowest latency for a number of requests.
 *
 * @module
 */

/** What the planner needs of the learned durations. */
export interface DurationEstimate {
  /** The probability that a job takes at most `time` ms. */
  cdf(time: number): number;
  /** Where the evidence ends, in ms: the plan stops there. */
  readonly horizon: number;
  /**
   * The best estimate of the share of jobs running longer than `time` ms,
   * which `cdf` may leave out for caution: the plan counts them late when
   * they outlive it.
   */
  surviving(time: number): number;
  /**
   * The share of all jobs that one more job than the evidence shows would
   * be, among those still running at `time` ms (absent for an exact
   * distribution): a gap longer than the target from `time` counts at least
   * that many late, so that a hole in a thin estimate (a stretch where none
   * of the few jobs known to reach it has ended yet) is not polled as if no
   * job could end there.
   */
  oneMore?(time: number): number;
}

/** A plan: poll times from the job's start, and what it costs. */
export interface PollPlan {
  /** Poll times in ms, ascending, from 0. */
  polls: number[];
  /** The detection latency planned for, in ms. */
  target: number;
  /** Expected requests per job within the plan. */
  requests: number;
  /**
   * Whether the jobs that outlive the plan are counted late already, so
   * that they are polled sparsely: a gap of half their age, one target at
   * least and {@linkcode MAX_GAP} targets at most.
   */
  sparseTail: boolean;
}

// Planned share of detections later than the target latency: the 5 % that a
// 95th percentile allows. The margin for the error of an estimate learned
// from a few hundred censored observations is in the cautious cdf the plan
// is given instead.
const LATE_BUDGET = 0.045;
// Poll times are planned on a grid of this many points a target latency…
const GRID = 8;
// …over at most this many points (a coarser grid beyond), so that the work
// of a plan is bounded whatever the durations.
const MAX_POINTS = 4096;
// Every gap but the first is at most this many target latencies, so that a
// job in a long tail is still seen soon after it finishes.
const MAX_GAP = 8;
// Gaps up to this many target latencies count as dense polling, whose
// cadence a wait off the plan's grid keeps.
const CADENCE = 1.5;
// The plan ends where fewer than this share of jobs are still running.
const HORIZON = 1e-3;
// The jobs that outlive the plan may take at most this share of the late
// budget to be polled sparsely.
const TAIL_SHARE = 0.25;

/**
 * Plans the polls that minimise the expected requests while at most 5 % of
 * the detections come later than `target` ms. Late detections are traded
 * for requests at one exchange rate (the Lagrange multiplier of the
 * constraint), bisected for the lowest rate within the budget; for each
 * rate a dynamic programme over a grid of poll times finds the cheapest
 * plan exactly: polls one target apart where completions are dense, and
 * far apart before the first jobs usually finish, between the modes of a
 * mixture and in a thin tail.
 *
 * @param estimate The learned durations.
 * @param target The 95th-percentile latency wanted, in ms, positive.
 * @returns The plan.
 */
export function planForLatency(
  estimate: DurationEstimate,
  target: number,
): PollPlan {
  const grid = gridOf(estimate, target);
  // The jobs that outlive the plan are spent from the late budget when they
  // are few: they are then polled sparsely, since nothing is known of them
  // but that they are rare.
  const beyond = Math.max(
    1 - grid.cdf[grid.cdf.length - 1],
    estimate.surviving((grid.cdf.length - 1) * grid.step),
  );
  const sparseTail = beyond <= TAIL_SHARE * LATE_BUDGET;
  const budget = sparseTail ? LATE_BUDGET - beyond : LATE_BUDGET;
  let low = -3;
  let high = 6;
  let plan = cheapest(grid, 10 ** high);
  for (let i = 0; i < 14; i++) {
    const middle = (low + high) / 2;
    const candidate = cheapest(grid, 10 ** middle);
    if (candidate.late <= budget) {
      high = middle;
      plan = candidate;
    } else {
      low = middle;
    }
  }
  return { polls: plan.polls, target, requests: plan.requests, sparseTail };
}

/**
 * The plan of the lowest target latency, between `least` and `most` ms,
 * that spends at most `budget` requests per job, or the plan for `most` if
 * none does.
 *
 * @param estimate The learned durations.
 * @param budget Expected requests per job, at least 1.
 * @param least The lowest target to consider, positive.
 * @param most The highest target to consider.
 * @returns The plan.
 */
export function planForBudget(
  estimate: DurationEstimate,
  budget: number,
  least: number,
  most: number,
): PollPlan {
  // Requests fall as the target grows: bisect the target on a log scale.
  let low = Math.log(least);
  let high = Math.log(most);
  let plan = planForLatency(estimate, most);
  for (let i = 0; i < 10; i++) {
    const middle = (low + high) / 2;
    const candidate = planForLatency(estimate, Math.exp(middle));
    if (candidate.requests <= budget) {
      high = middle;
      plan = candidate;
    } else {
      low = middle;
    }
  }
  return plan;
}

/**
 * The delay from `elapsed` ms to the wait's next poll under `plan`. A wait
 * on the plan's grid polls at the next planned time. A wait off it (it began
 * on an older plan) keeps a cadence instead of adding a poll to reach the
 * grid (each rebuild of the plan would otherwise cost every long wait a
 * request): the plan's gap where polls are dense, else one target, never
 * past the planned poll after next; it returns to the grid before a longer
 * gap. A job that ends before such a poll is seen within the cadence; one
 * after it, when the plan would see it. Past the plan's end: a sparse tail's gap, else one
 * target, the cadence where jobs end (the plan's horizon is where the
 * evidence ends, not the jobs), unless the plan spans less than a target
 * (it knows nothing yet).
 *
 * @param plan The plan.
 * @param elapsed Milliseconds since the job started, at least 0.
 * @param tail Whether to answer past the plan's end: false for `undefined`
 * past the last planned poll.
 * @returns Milliseconds, positive and finite, or `undefined` past the end
 * of a plan (with `tail` false, or a plan of less than a target).
 */
export function delayFrom(
  plan: PollPlan,
  elapsed: number,
  tail = true,
): number | undefined {
  const { polls, target } = plan;
  // A point less than a grid step ahead counts as reached, so that rounding
  // (or a plan shifted by a hair) never asks for a poll right away.
  const reached = elapsed + target / GRID;
  let low = 0;
  let high = polls.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (polls[middle] <= reached) low = middle + 1;
    else high = middle;
  }
  if (low === polls.length) {
    if (!tail || polls[polls.length - 1] < target) return undefined;
    if (!plan.sparseTail) return target;
    return Math.min(MAX_GAP * target, Math.max(target, elapsed / 2));
  }
  const ahead = polls[low] - elapsed;
  const gap = polls[low] - polls[low - 1];
  const after = polls[low + 1] - polls[low];
  const dense = gap <= CADENCE * target && after <= CADENCE * target;
  const cadence = dense ? gap : target;
  // Rounding may leave a wait on the grid a hair before its point.
  if (ahead >= gap * (1 - 1e-9) || ahead >= cadence) return ahead;
  // The plan's gaps are at least a target long (a shorter one saves no
  // late detection), so a poll a cadence on lies before the one after next.
  return low + 1 < polls.length ? Math.min(cadence, ahead + after) : cadence;
}

interface Grid {
  /** Milliseconds between points. */
  step: number;
  /** Points a target latency spans. */
  lag: number;
  /** The estimated cdf at each point. */
  cdf: Float64Array;
  /** The least share of late detections of a long gap from each point. */
  floor: Float64Array;
}

// The grid of candidate poll times, up to where the evidence ends or nearly
// every job has ended.
function gridOf(estimate: DurationEstimate, target: number): Grid {
  let end = Math.min(estimate.horizon, 1e15);
  // The end of the plan: nearly every job has ended by then.
  let low = 0;
  let high = end;
  if (1 - estimate.cdf(end) < HORIZON) {
    for (let i = 0; i < 40; i++) {
      const middle = (low + high) / 2;
      if (1 - estimate.cdf(middle) < HORIZON) high = middle;
      else low = middle;
    }
    end = high;
  }
  const step = Math.max(target / GRID, end / MAX_POINTS);
  const points = Math.max(2, Math.ceil(end / step) + 1);
  const cdf = Float64Array.from(
    { length: points },
    (_, i) => estimate.cdf(i * step),
  );
  const floor = Float64Array.from(
    { length: points },
    (_, i) => estimate.oneMore?.(i * step) ?? 0,
  );
  return { step, lag: target / step, cdf, floor };
}

// The cheapest plan for one exchange rate: V[i] is the least cost from a
// poll at point i on (the requests still to come plus `rate` times the late
// detections), found backwards from the end of the grid.
function cheapest(
  grid: Grid,
  rate: number,
): { polls: number[]; late: number; requests: number } {
  const { cdf, step, lag } = grid;
  const points = cdf.length;
  const reach = Math.max(1, Math.floor(MAX_GAP * lag));
  const value = new Float64Array(points);
  const next = new Int32Array(points).fill(points);
  for (let i = points - 2; i >= 0; i--) {
    const surviving = 1 - cdf[i];
    const last = i === 0 ? points - 1 : Math.min(points - 1, i + reach);
    let best = Infinity;
    for (let j = i + 1; j <= last; j++) {
      const late = lateness(grid, i, j);
      const cost = surviving + rate * late + value[j];
      if (cost < best) {
        best = cost;
        next[i] = j;
      }
    }
    value[i] = best;
  }
  const polls = [0];
  let late = 0;
  let requests = 1;
  for (let i = 0; next[i] < points;) {
    const j = next[i];
    late += lateness(grid, i, j);
    requests += 1 - cdf[i];
    polls.push(j * step);
    i = j;
  }
  return { polls, late, requests };
}

// The share of jobs detected late by a poll at point j after one at i.
function lateness(grid: Grid, i: number, j: number): number {
  const cut = j - grid.lag;
  if (cut <= i) return 0;
  return Math.max(grid.floor[i], interpolate(grid.cdf, cut) - grid.cdf[i]);
}

function interpolate(cdf: Float64Array, at: number): number {
  const i = Math.floor(at);
  const fraction = at - i;
  return fraction === 0 || i + 1 >= cdf.length
    ? cdf[Math.min(i, cdf.length - 1)]
    : cdf[i] + fraction * (cdf[i + 1] - cdf[i]);
}
