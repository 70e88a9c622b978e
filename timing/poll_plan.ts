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
}

/** A plan: poll times from the job's start, and what it costs. */
export interface PollPlan {
  /** Poll times in ms, ascending, from 0. */
  polls: number[];
  /** The detection latency planned for, in ms. */
  target: number;
  /** Expected requests per job within the plan. */
  requests: number;
}

// Planned share of detections later than the target latency: the 5 % that a
// 95th percentile allows, less a margin for the error of an estimate learned
// from a few hundred censored observations.
const LATE_BUDGET = 0.04;
// Every gap but the first is at most this many target latencies, so that a
// job in a long tail is still seen soon after it finishes.
const MAX_GAP = 4;
// The plan ends where fewer than this share of jobs are still running.
const HORIZON = 1e-3;
// Bounds on the work and memory of one plan.
const MAX_POLLS = 1024;
const MAX_STEPS = 8192;

/**
 * Plans the polls that minimise the expected requests while at most 4 % of
 * the detections come later than `target` ms: consecutive polls are one
 * target apart where completions are dense, and a gap is stretched where
 * the requests it saves outweigh the late detections it causes, above all
 * before the first jobs usually finish and in a thin tail.
 *
 * @param estimate The learned durations.
 * @param target The 95th-percentile latency wanted, in ms, positive.
 * @returns The plan.
 */
export function planForLatency(
  estimate: DurationEstimate,
  target: number,
): PollPlan {
  // The exchange rate between late detections and saved requests is the
  // one Lagrange multiplier of the problem: bisect it on a log scale for
  // the largest rate whose plan stays within the late budget.
  let low = -8;
  let high = 4;
  let plan = stretched(estimate, target, 10 ** low);
  for (let i = 0; i < 16; i++) {
    const middle = (low + high) / 2;
    const candidate = stretched(estimate, target, 10 ** middle);
    if (candidate.late <= LATE_BUDGET) {
      low = middle;
      plan = candidate;
    } else {
      high = middle;
    }
  }
  return { polls: plan.polls, target, requests: plan.requests };
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
  for (let i = 0; i < 12; i++) {
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

// Plans poll times from 0: each gap is the target latency, stretched step
// by step while the late detections a step causes cost at most `rate`
// times the requests it saves. Returns the polls, the share of late
// detections and the expected requests.
function stretched(
  estimate: DurationEstimate,
  target: number,
  rate: number,
): { polls: number[]; late: number; requests: number } {
  const cdf = (time: number): number => estimate.cdf(time);
  const end = estimate.horizon;
  const polls = [0];
  const step = target / 16;
  let late = 0;
  let requests = 1;
  let steps = 0;
  let time = 0;
  while (polls.length < MAX_POLLS && steps < MAX_STEPS && time < end) {
    const surviving = 1 - cdf(time);
    if (surviving < HORIZON) break;
    const longest = polls.length === 1 ? Infinity : (MAX_GAP - 1) * target;
    let stretch = 0;
    while (stretch < longest && steps++ < MAX_STEPS) {
      const from = time + stretch;
      if (1 - cdf(from) < HORIZON || from >= end) break;
      const cost = cdf(from + step) - cdf(from);
      const saved = (step / target) * (1 - cdf(from + step + target));
      if (saved === 0 || cost > rate * saved) break;
      stretch += step;
    }
    late += cdf(time + stretch) - cdf(time);
    requests += surviving;
    time += stretch + target;
    polls.push(time);
  }
  return { polls, late, requests };
}
