// What a Redis budget hands out, and what waits for it.

import type { MemoryBudget } from "../client/budget.ts";

/** A wait for a place. */
export interface Waiter {
  /** The ticket in Redis's queue; empty until queued. */
  id: string;
  resolve: (ticket: Ticket) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** A place, from Redis or from the local share. */
export interface Ticket {
  id: string;
  /** The local budget the place came from, when Redis was away. */
  local?: { budget: MemoryBudget; place: number };
  sent: boolean;
}

/** Whether `value` is a ticket of a Redis budget. */
export function isTicket(value: unknown): value is Ticket {
  return typeof value === "object" && value !== null &&
    typeof (value as Ticket).id === "string";
}
