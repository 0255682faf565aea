/// The outbox's Lua scripts. Every change that touches more than one key is one script, so an
/// item is always in exactly one place; each reads Redis's own clock. ARGV[1] is the key prefix
/// (`dumpyard:{q}:outbox:`), under which every key lives:
///
/// - `item:<id>`: hash, the item stored once: `priority` (0 urgent … 3 low), `target` (absent:
///   none), `seq`, `attempts`, `body`, `created`; while taken `owner` and `taken`; once dead
///   `reason` and `dead_at`. The sets and the list below hold ids only.
/// - `pending:urgent`, `pending:high`, `pending:normal`, `pending:low`: sorted sets of the ids
///   waiting, scored by id (enqueue order); items put back or recovered get negative scores and
///   so come first.
/// - `delayed`: sorted set of the ids waiting for a retry, scored by the time they are due (ms).
/// - `inflight`: sorted set of the ids taken and not settled yet, scored by the time taken.
/// - `dead`: list of dead-letter ids, newest first, capped.
/// - `ids`, `front`: counters for item ids and for the scores of items put back.
/// - `seq:<target>`, `mark:<target>`: a target's last sequence and its watermark (the newest
///   sequence delivered), each kept 15 days after its last write.
enum OutboxScripts {
    /// The prefix, Redis's clock in milliseconds and the helpers the scripts share.
    static let prelude = """
        local p = ARGV[1]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local names = {'urgent', 'high', 'normal', 'low'}
        local ttl = 15 * 86400
        local function item(id) return p .. 'item:' .. id end
        local function queue(prio) return p .. 'pending:' .. names[tonumber(prio) + 1] end
        -- A counter that starts from the clock (ms) when its key is missing, new or lost: numbers
        -- given after a loss stay above those given before while fewer than 1000 go a second.
        local function counter(k)
          if redis.call('EXISTS', k) == 0 then redis.call('SET', k, now) end
          return redis.call('INCR', k)
        end
        -- Back at the head of its queue: below every enqueued item (scored by its positive id),
        -- the latest put back first, as LPUSH would have it.
        local function front(id, prio)
          redis.call('ZADD', queue(prio), -counter(p .. 'front'), id)
        end
        -- A target's sequence counter and watermark live 15 days after their last write.
        local function touch(target)
          redis.call('EXPIRE', p .. 'seq:' .. target, ttl)
          redis.call('EXPIRE', p .. 'mark:' .. target, ttl)
        end
        -- An item as the scripts return it: id, priority, has target (1|0), target, seq, attempts, body.
        local function fields(id)
          local f = redis.call('HMGET', item(id), 'priority', 'target', 'seq', 'attempts', 'body')
          return {id, f[1], f[2] and '1' or '0', f[2] or '', f[3], f[4], f[5]}
        end
        -- True when `owner` took the item and has not settled it yet.
        local function held(id, owner)
          return redis.call('ZSCORE', p .. 'inflight', id) and redis.call('HGET', item(id), 'owner') == owner
        end
        -- The item leaves the in-flight set; its owner is forgotten.
        local function release(id)
          redis.call('ZREM', p .. 'inflight', id)
          redis.call('HDEL', item(id), 'owner', 'taken')
        end

        """

    /// enqueue(prefix, priority 0-3, has target 1|0, target, body) → OK, id, seq. A target's
    /// next sequence is above its watermark even when its counter was lost.
    static let enqueue = prelude + """
        local prio = ARGV[2]
        local id = tostring(counter(p .. 'ids'))
        while redis.call('EXISTS', item(id)) == 1 do id = tostring(redis.call('INCR', p .. 'ids')) end
        local seq = 0
        if ARGV[3] == '1' then
          local sk = p .. 'seq:' .. ARGV[4]
          local mark = tonumber(redis.call('GET', p .. 'mark:' .. ARGV[4]) or '0')
          if tonumber(redis.call('GET', sk) or '0') < mark then redis.call('SET', sk, mark) end
          seq = redis.call('INCR', sk)
          touch(ARGV[4])
          redis.call('HSET', item(id), 'target', ARGV[4])
        end
        redis.call('HSET', item(id), 'priority', prio, 'seq', seq, 'attempts', 0, 'body', ARGV[5], 'created', now)
        redis.call('ZADD', queue(prio), id, id)
        return {'OK', id, tostring(seq)}
        """

    /// take(prefix, owner) → ITEM + fields, or EMPTY. Due retries first go back to their
    /// queues, placed by age; then the lowest score of the most urgent non-empty queue is taken.
    static let take = prelude + """
        for _, id in ipairs(redis.call('ZRANGE', p .. 'delayed', '-inf', now, 'BYSCORE', 'LIMIT', 0, 100)) do
          redis.call('ZREM', p .. 'delayed', id)
          local prio = redis.call('HGET', item(id), 'priority')
          if prio then redis.call('ZADD', queue(prio), id, id) end
        end
        for _, name in ipairs(names) do
          while true do
            local popped = redis.call('ZPOPMIN', p .. 'pending:' .. name)
            if #popped == 0 then break end
            local id = popped[1]
            -- An id without its item (never written by these scripts) is dropped.
            if redis.call('EXISTS', item(id)) == 1 then
              redis.call('ZADD', p .. 'inflight', now, id)
              redis.call('HSET', item(id), 'owner', ARGV[2], 'taken', now)
              local reply = fields(id)
              table.insert(reply, 1, 'ITEM')
              return reply
            end
          end
        end
        return {'EMPTY'}
        """

    /// settle(prefix, id, has target 1|0, target, seq, advance 1|0): the item is done (delivered
    /// or discarded) wherever it is, unless it is a dead letter; a delivered edit moves its
    /// target's watermark up to its sequence, never down.
    static let settle = prelude + """
        local id = ARGV[2]
        local removed = redis.call('ZREM', p .. 'inflight', id) + redis.call('ZREM', p .. 'delayed', id)
        local prio = redis.call('HGET', item(id), 'priority')
        -- Recovered meanwhile and waiting again: it must not go out twice.
        if prio then removed = removed + redis.call('ZREM', queue(prio), id) end
        if removed > 0 then redis.call('DEL', item(id)) end
        if ARGV[3] == '1' and ARGV[6] == '1' then
          local mk, seq = p .. 'mark:' .. ARGV[4], tonumber(ARGV[5])
          if seq > tonumber(redis.call('GET', mk) or '0') then redis.call('SET', mk, seq) end
          touch(ARGV[4])
        end
        return {'OK'}
        """

    /// put_back(prefix, id, owner): a held item back at the head of its queue.
    static let putBack = prelude + """
        local id = ARGV[2]
        if not held(id, ARGV[3]) then return {'NOT_HELD'} end
        release(id)
        front(id, redis.call('HGET', item(id), 'priority'))
        return {'OK'}
        """

    /// retry(prefix, id, owner, delay_ms): a held item counts one more failed attempt and waits
    /// in `delayed` until due.
    static let retry = prelude + """
        local id = ARGV[2]
        if not held(id, ARGV[3]) then return {'NOT_HELD'} end
        release(id)
        redis.call('HINCRBY', item(id), 'attempts', 1)
        redis.call('ZADD', p .. 'delayed', now + tonumber(ARGV[4]), id)
        return {'OK'}
        """

    /// dead_letter(prefix, id, owner, reason, cap): a held item into the dead-letter list; the
    /// oldest beyond `cap` leave it and their items are deleted.
    static let deadLetter = prelude + """
        local id, cap = ARGV[2], tonumber(ARGV[5])
        if not held(id, ARGV[3]) then return {'NOT_HELD'} end
        release(id)
        redis.call('HSET', item(id), 'reason', ARGV[4], 'dead_at', now)
        redis.call('LPUSH', p .. 'dead', id)
        for _, old in ipairs(redis.call('LRANGE', p .. 'dead', cap, -1)) do redis.call('DEL', item(old)) end
        if cap > 0 then redis.call('LTRIM', p .. 'dead', 0, cap - 1) else redis.call('DEL', p .. 'dead') end
        return {'OK'}
        """

    /// recover(prefix, owner) → OK, count: items in flight that another owner took go back to
    /// the head of their queues, the oldest (lowest id) first.
    static let recover = prelude + """
        local ids = redis.call('ZRANGE', p .. 'inflight', 0, -1)
        table.sort(ids, function(a, b) return (tonumber(a) or 0) > (tonumber(b) or 0) end)
        local count = 0
        for _, id in ipairs(ids) do
          local f = redis.call('HMGET', item(id), 'owner', 'priority')
          if f[1] ~= ARGV[2] then
            release(id)
            if f[2] then
              front(id, f[2])
              count = count + 1
            end
          end
        end
        return {'OK', tostring(count)}
        """

    /// dead_letters(prefix, limit) → per item its fields and its reason, newest first.
    static let deadLetters = prelude + """
        local reply = {}
        for _, id in ipairs(redis.call('LRANGE', p .. 'dead', 0, tonumber(ARGV[2]) - 1)) do
          if redis.call('EXISTS', item(id)) == 1 then
            for _, value in ipairs(fields(id)) do table.insert(reply, value) end
            table.insert(reply, redis.call('HGET', item(id), 'reason') or '')
          end
        end
        return reply
        """

    /// counts(prefix) → pending urgent, high, normal, low, delayed, in flight, dead: one snapshot.
    static let counts = prelude + """
        local reply = {}
        for _, name in ipairs(names) do table.insert(reply, redis.call('ZCARD', p .. 'pending:' .. name)) end
        table.insert(reply, redis.call('ZCARD', p .. 'delayed'))
        table.insert(reply, redis.call('ZCARD', p .. 'inflight'))
        table.insert(reply, redis.call('LLEN', p .. 'dead'))
        return reply
        """
}
