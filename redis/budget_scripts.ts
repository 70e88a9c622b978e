// The shared budget's state lives in Redis and changes only through these
// scripts, each atomic on the server and on the server's clock (TIME), so
// that the processes' clocks never matter. Keys, under the budget's key K:
//
//   K:used       sorted set of the places that count: "h:<ticket>" held,
//                scored with when the hold lapses (a holder that died);
//                "s:<ticket>" sent, scored with when it leaves the window
//   K:sends      the same sent places alone, for PUMP to count those leaving
//   K:slice      sorted set of the tickets handed places in the last slice
//                of the window, scored with when (for the even stream)
//   K:queue      sorted set of waiting tickets, scored by arrival (K:seq)
//   K:granted:P  list of tickets granted to process P, not yet collected
//   K:alive:P    present while process P lives (a lease it renews)
//   K:members    sorted set of processes by when they last spoke
//   K:quiet      present while the processes pace themselves locally,
//                after one came back from a fallback (see budget.ts)
//   K:pacing     sorted set of the processes pacing themselves with Redis
//                there, scored with when their lease lapses: no place is
//                handed out until each has stopped and told its requests
//   K:wake       channel: a process's id when it was granted tickets, "*"
//                when the next free place came earlier than planned
//
// A ticket is "<process>.<n>": its owner is what precedes the last dot.

import { LuaScript } from "./connection.ts";

// Every script starts with the time and the key names; ARGV[1] is the key.
const PRELUDE = `
local K = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used, queue, slice = K .. ':used', K .. ':queue', K .. ':slice'
local sends = K .. ':sends'
local pacing = K .. ':pacing'
`;

// Hands free places to the queue's head, in order, dropping the tickets of
// processes that died; wakes each owner but \`me\`, who collects its own.
// A place is free when the window holds fewer than \`capacity\` (held
// places count, as their requests may go at any moment) and the last slice
// (a \`slices\`-th of the window, whole ms rounded up) handed out fewer
// than its share: a queue that never empties goes as an even stream. The
// slice counts places from when they were handed out, not sent: the window
// keeps every second to the budget, and a slice counted from the sends
// freed only once they were told, a few ms late every slice (5% of the
// throughput). Nothing while a process paces itself: its last requests may
// not be told yet. Returns the ms until the next place frees (-1: nothing
// waits, -2: a process paces itself), and the places the window holds.
const GRANT = `
local function grant(capacity, window, slices, hold, lease, me)
  redis.call('ZREMRANGEBYSCORE', used, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', pacing, '-inf', now)
  if redis.call('EXISTS', K .. ':quiet') == 1 or redis.call('ZCARD', pacing) > 0 then
    return -2, redis.call('ZCARD', used)
  end
  local share, recent, length = capacity, 0, math.ceil(window / slices)
  local sliced = slices > 1 and capacity > 1
  if sliced then
    share = math.max(1, math.floor(capacity / slices))
    redis.call('ZREMRANGEBYSCORE', slice, '-inf', now - length)
    recent = redis.call('ZCARD', slice)
  end
  local count = redis.call('ZCARD', used)
  local woken = {}
  while count < capacity and recent < share do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if not head then break end
    redis.call('ZREM', queue, head)
    local owner = string.match(head, '^(.*)%.')
    if owner == me or redis.call('EXISTS', K .. ':alive:' .. owner) == 1 then
      redis.call('ZADD', used, now + hold, 'h:' .. head)
      if sliced then redis.call('ZADD', slice, now, head) end
      redis.call('RPUSH', K .. ':granted:' .. owner, head)
      redis.call('PEXPIRE', K .. ':granted:' .. owner, lease)
      count, recent = count + 1, recent + 1
      if owner ~= me then woken[owner] = true end
    end
  end
  for owner in pairs(woken) do redis.call('PUBLISH', K .. ':wake', owner) end
  if redis.call('ZCARD', queue) == 0 then return -1, count end
  local next = 0
  if count >= capacity then
    next = tonumber(redis.call('ZRANGE', used, 0, 0, 'WITHSCORES')[2]) - now
  end
  if sliced and recent >= share then
    local first = redis.call('ZRANGE', slice, 0, 0, 'WITHSCORES')
    next = math.max(next, tonumber(first[2]) + length - now)
  end
  return next, count
end
`;

/**
 * ARGV: key, process, capacity, window, hold, lease, slices, how the
 * process stands ("redis"; "local": pacing itself; "back": it stopped, and
 * told its requests), then tickets to queue, then after "held" the tickets
 * of places it handed out while pacing whose requests may still go.
 * Returns {"quiet", ms left} while the processes pace themselves (and
 * counts this one among them), {"hold", ...} while one of them has not
 * stopped, else {"ok", ms until the next place frees (-1: nothing waits),
 * processes alive, places the window holds, then `slices` numbers: how many
 * of those places are sends that leave the window in each of the next
 * slices, then tickets granted to this process...}.
 */
export const PUMP: LuaScript = new LuaScript(`${PRELUDE}${GRANT}
local me = ARGV[2]
local capacity, window, hold, lease = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('SET', K .. ':alive:' .. me, 1, 'PX', lease)
redis.call('ZADD', K .. ':members', now, me)
-- Counted for a minute after they last spoke: an idle process may wake.
redis.call('ZREMRANGEBYSCORE', K .. ':members', '-inf', now - 60000)
local members = redis.call('ZCARD', K .. ':members')
local quiet, stands = redis.call('PTTL', K .. ':quiet'), ARGV[8]
if quiet > 0 or stands == 'local' then
  redis.call('ZADD', pacing, now + lease, me)
end
if quiet > 0 then return {'quiet', quiet, members} end
local held = false
for i = 9, #ARGV do
  if ARGV[i] == 'held' then
    held = true
  elseif held then
    redis.call('ZADD', used, now + hold, 'h:' .. ARGV[i])
  else
    redis.call('ZADD', queue, redis.call('INCR', K .. ':seq'), ARGV[i])
  end
end
if stands == 'back' then
  redis.call('ZREM', pacing, me)
  -- The last one back: those waiting may take places again.
  if redis.call('ZCARD', pacing) == 0 then
    redis.call('PUBLISH', K .. ':wake', '*')
  end
end
local slices = tonumber(ARGV[7])
local reply = {'ok', 0, members, 0}
reply[2], reply[4] = grant(capacity, window, slices, hold, lease, me)
if reply[2] == -2 then reply[1] = 'hold' end
-- When the sends leave, a slice each: a process that loses Redis counts only
-- those still in the window then (a held place may go at any moment, and
-- is counted until told). A send leaves within a window of when it is told.
local length = math.ceil(window / slices)
redis.call('ZREMRANGEBYSCORE', sends, '-inf', now)
for i = 1, slices do
  reply[4 + i] = redis.call('ZCOUNT', sends, '(' .. (now + (i - 1) * length), now + i * length)
end
local mine = K .. ':granted:' .. me
for _, ticket in ipairs(redis.call('LRANGE', mine, 0, -1)) do
  table.insert(reply, ticket)
end
redis.call('DEL', mine)
return reply
`);

/**
 * ARGV: key, window, then pairs of a ticket and how many ms ago its request
 * went. Counts each request from then, held or not (a hold that lapsed
 * still counts its late request).
 */
export const SENT: LuaScript = new LuaScript(`${PRELUDE}
local window = tonumber(ARGV[2])
local told = {}
for i = 3, #ARGV, 2 do
  redis.call('ZREM', used, 'h:' .. ARGV[i])
  local leaves = now - tonumber(ARGV[i + 1]) + window
  redis.call('ZADD', used, leaves, 's:' .. ARGV[i])
  redis.call('ZADD', sends, leaves, 's:' .. ARGV[i])
  told['s:' .. ARGV[i]] = true
end
-- Those waiting planned for the place that leaves the window first: when
-- it is now one of these, which they saw held until its hold lapses, it
-- leaves sooner, and they must plan again.
local first = redis.call('ZRANGE', used, 0, 0)[1]
if told[first] and redis.call('ZCARD', queue) > 0 then
  redis.call('PUBLISH', K .. ':wake', '*')
end
return 1
`);

/**
 * ARGV: key, process, capacity, window, hold, lease, slices, then tickets.
 * Gives the tickets up, queued or held and unsent, and hands their places
 * on.
 */
export const RELEASE: LuaScript = new LuaScript(`${PRELUDE}${GRANT}
local me = ARGV[2]
for i = 8, #ARGV do
  redis.call('ZREM', queue, ARGV[i])
  redis.call('ZREM', used, 'h:' .. ARGV[i])
  redis.call('LREM', K .. ':granted:' .. me, 0, ARGV[i])
end
-- No process collects here: every owner granted a place is woken, this one
-- too.
grant(tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7]), tonumber(ARGV[5]), tonumber(ARGV[6]), '')
return 1
`);

/**
 * ARGV: key, process, window, quiet, lease, then ages in ms of requests this
 * process sent on its local share. Counts each as sent that long ago, this
 * process as pacing itself (lease above 0), and (quiet above 0) keeps every
 * process pacing itself for `quiet` ms more. Returns the ms of quiet left
 * and the processes alive.
 */
export const RESTORE: LuaScript = new LuaScript(`${PRELUDE}
local me, window, quiet = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
if lease > 0 then redis.call('ZADD', pacing, now + lease, me) end
for i = 6, #ARGV do
  local leaves = now - tonumber(ARGV[i]) + window
  if leaves > now then
    local send = 's:' .. me .. '.r' .. redis.call('INCR', K .. ':seq')
    redis.call('ZADD', used, leaves, send)
    redis.call('ZADD', sends, leaves, send)
  end
end
if quiet > 0 and redis.call('PTTL', K .. ':quiet') < quiet then
  redis.call('SET', K .. ':quiet', 1, 'PX', quiet)
end
redis.call('ZADD', K .. ':members', now, me)
local members = redis.call('ZCARD', K .. ':members')
return {redis.call('PTTL', K .. ':quiet'), members}
`);
