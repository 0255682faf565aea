/// The queue's Lua scripts (reference/queue.md §3.5). Every transition is one script, so a job's
/// set and its `state` field never disagree; each reads Redis's own clock and returns a status,
/// never raising for expected cases. ARGV[1] is the key prefix (`dumpyard:{q}:`).
enum QueueScripts {
    /// Milliseconds of Redis time, and the score that orders `pending`: priority first
    /// (9 first), then submission order.
    static let prelude = """
        local p = ARGV[1]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function score(k)
          local f = redis.call('HMGET', k, 'priority', 'seq')
          return (9 - tonumber(f[1])) * 1099511627776 + tonumber(f[2])
        end
        -- A wake-up token for an idle worker; 100 waiting tokens are plenty.
        local function wake()
          if redis.call('LLEN', p .. 'wake') < 100 then redis.call('LPUSH', p .. 'wake', '1') end
        end
        local function event(id, state, extra)
          redis.call('XADD', p .. 'events', 'MAXLEN', '~', 10000, '*', 'job', id, 'state', state, 'info', extra or '')
        end
        -- History (7 days) and dead letter (30 days) keep at most the newest 10,000 ids; the hashes
        -- of ids that fall out go with them (unless the id lives again: a job submitted anew).
        local function trim(set)
          local days = set == 'done' and 7 or 30
          local old = redis.call('ZRANGE', p .. set, 0, -10001)
          for _, id in ipairs(redis.call('ZRANGE', p .. set, '-inf', now - days * 86400000, 'BYSCORE', 'LIMIT', 0, 100)) do
            table.insert(old, id)
          end
          for _, id in ipairs(old) do
            redis.call('ZREM', p .. set, id)
            local st = redis.call('HGET', p .. 'job:' .. id, 'state')
            if st == 'COMPLETED' or st == 'CANCELLED' or st == 'FAILED' then redis.call('DEL', p .. 'job:' .. id) end
          end
        end
        -- The job's last worker no longer holds it (unless that worker holds another job by now).
        local function unbind(id, k)
          local w = redis.call('HGET', k, 'worker')
          if w and redis.call('HGET', p .. 'worker:' .. w, 'job') == id then redis.call('HDEL', p .. 'worker:' .. w, 'job') end
        end
        -- A job that reached a terminal state other than FAILED: into the history, kept 7 days.
        local function finished(id, k, state, info)
          unbind(id, k)
          redis.call('ZREM', p .. 'active', id)
          redis.call('HSET', k, 'state', state, 'finished', now)
          redis.call('ZADD', p .. 'done', now, id)
          trim('done')
          redis.call('EXPIRE', k, 7 * 86400)
          event(id, state, info)
        end
        -- A job whose cancel was asked for ends CANCELLED whatever else happens to its attempt.
        local function cancelIfAsked(id, k, info)
          if redis.call('HGET', k, 'cancel_requested') ~= '1' then return false end
          finished(id, k, 'CANCELLED', info)
          redis.call('HINCRBY', p .. 'stats', 'cancelled', 1)
          return true
        end
        -- A retryable failure: back to `delayed` after 2^(attempt-1) x base ms, or FAILED after the last retry.
        local function failed(id, k, err, retryable, base)
          redis.call('HSET', k, 'last_error', err)
          if cancelIfAsked(id, k, err) then return {'CANCELLED'} end
          unbind(id, k)
          redis.call('ZREM', p .. 'active', id)
          local f = redis.call('HMGET', k, 'attempts', 'max_retries')
          local attempts, max = tonumber(f[1]) or 1, tonumber(f[2]) or 0
          if retryable and attempts <= max then
            local delay = base * 2 ^ (attempts - 1)
            redis.call('ZADD', p .. 'delayed', now + delay, id)
            redis.call('HSET', k, 'state', 'RETRYING', 'due', now + delay)
            redis.call('HINCRBY', p .. 'stats', 'retried', 1)
            event(id, 'RETRYING', err)
            return {'RETRYING', tostring(delay)}
          end
          redis.call('HSET', k, 'state', 'FAILED', 'finished', now)
          redis.call('ZADD', p .. 'failed', now, id)
          redis.call('EXPIRE', k, 30 * 86400)
          trim('failed')
          redis.call('HINCRBY', p .. 'stats', 'failed', 1)
          event(id, 'FAILED', err)
          return {'FAILED'}
        end

        """

    /// submit(prefix, id, payload, priority, max_retries)
    static let submit = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local state = redis.call('HGET', k, 'state')
        if state then return {'EXISTS', state} end
        -- An id used before whose hash expired may still sit in the history: it starts anew.
        for _, set in ipairs({'done', 'failed', 'pending', 'delayed', 'active'}) do redis.call('ZREM', p .. set, id) end
        local seq = redis.call('INCR', p .. 'seq')
        redis.call('HSET', k, 'payload', ARGV[3], 'priority', tonumber(ARGV[4]), 'state', 'QUEUED', 'attempts', 0,
          'max_retries', tonumber(ARGV[5]), 'fence', 0, 'created', now, 'seq', seq, 'cancel_requested', 0)
        redis.call('ZADD', p .. 'pending', score(k), id)
        redis.call('HINCRBY', p .. 'stats', 'submitted', 1)
        wake()
        event(id, 'QUEUED')
        return {'QUEUED'}
        """

    /// claim(prefix, worker, lease_ms, token): the token is the worker process's own, so a claim
    /// retried after a lost reply gets its job back but a second process with the same worker id
    /// (or the same worker restarted) does not.
    static let claim = prelude + """
        local wid, lease, token = ARGV[2], tonumber(ARGV[3]), ARGV[4]
        local wk = p .. 'worker:' .. wid
        -- Idle workers show as alive too (written once a second at most: every write costs an AOF
        -- fsync); workers unseen for a day are forgotten.
        if now - tonumber(redis.call('HGET', wk, 'seen') or 0) >= 1000 then
          redis.call('ZADD', p .. 'workers', now, wid)
          redis.call('ZREMRANGEBYSCORE', p .. 'workers', '-inf', now - 86400000)
          redis.call('HSET', wk, 'seen', now)
          redis.call('PEXPIRE', wk, lease * 2)
        end
        -- A claim retried after a lost reply gets the job this worker already holds.
        local mine = redis.call('HMGET', wk, 'job', 'token')
        local held = mine[2] == token and mine[1] or nil
        if held then
          local k = p .. 'job:' .. held
          local f = redis.call('HMGET', k, 'state', 'worker', 'fence', 'attempts', 'payload')
          if f[1] == 'PROCESSING' and f[2] == wid then
            redis.call('HSET', k, 'lease_until', now + lease)
            redis.call('ZADD', p .. 'active', 'XX', now + lease, held)
            return {'JOB', held, f[3], f[4], f[5]}
          end
        end
        for _, id in ipairs(redis.call('ZRANGE', p .. 'delayed', '-inf', now, 'BYSCORE', 'LIMIT', 0, 100)) do
          local k = p .. 'job:' .. id
          redis.call('ZREM', p .. 'delayed', id)
          redis.call('ZADD', p .. 'pending', score(k), id)
          redis.call('HSET', k, 'state', 'QUEUED')
        end
        local id, k
        for _ = 1, 10 do
          local popped = redis.call('ZPOPMIN', p .. 'pending')
          if #popped == 0 then
            local nxt = redis.call('ZRANGE', p .. 'delayed', 0, 0, 'WITHSCORES')
            if #nxt > 0 then return {'WAIT', tostring(tonumber(nxt[2]) - now)} end
            return {'EMPTY'}
          end
          id = popped[1]
          k = p .. 'job:' .. id
          if redis.call('EXISTS', k) == 1 then break end
          -- An id without its job (never written by these scripts): dropped, counted.
          redis.call('HINCRBY', p .. 'stats', 'orphans', 1)
          id = nil
        end
        if not id then return {'EMPTY'} end
        local fence = redis.call('HINCRBY', k, 'fence', 1)
        local attempts = redis.call('HINCRBY', k, 'attempts', 1)
        redis.call('HSET', k, 'state', 'PROCESSING', 'worker', wid, 'lease_until', now + lease, 'started', now)
        redis.call('ZADD', p .. 'active', now + lease, id)
        redis.call('HSET', wk, 'job', id, 'seen', now, 'token', token)
        redis.call('PEXPIRE', wk, lease * 2)
        redis.call('ZADD', p .. 'workers', now, wid)
        event(id, 'PROCESSING', wid)
        return {'JOB', id, tostring(fence), tostring(attempts), redis.call('HGET', k, 'payload')}
        """

    /// heartbeat(prefix, id, fence, lease_ms, step, percent, step_name, detail, passed, device):
    /// `passed` lists the steps (comma-separated) the job went through since the last beat, so the
    /// event stream shows every step even when several pass between two beats; `device` is
    /// "brand codename" once known.
    static let heartbeat = prelude + """
        local id, lease = ARGV[2], tonumber(ARGV[4])
        local k = p .. 'job:' .. id
        local f = redis.call('HMGET', k, 'state', 'fence', 'cancel_requested', 'step', 'worker')
        if f[1] ~= 'PROCESSING' or f[2] ~= ARGV[3] then
          redis.call('HINCRBY', p .. 'stats', 'fence_rejected', 1)
          return {'LOST'}
        end
        redis.call('HSET', k, 'lease_until', now + lease, 'step', ARGV[5], 'pct', ARGV[6], 'step_name', ARGV[7], 'beat', now)
        if ARGV[8] and ARGV[8] ~= '' then redis.call('HSET', k, 'detail', ARGV[8]) else redis.call('HDEL', k, 'detail') end
        redis.call('ZADD', p .. 'active', 'XX', now + lease, id)
        if f[5] then
          redis.call('HSET', p .. 'worker:' .. f[5], 'seen', now)
          redis.call('PEXPIRE', p .. 'worker:' .. f[5], lease * 2)
          redis.call('ZADD', p .. 'workers', now, f[5])
        end
        local last = f[4]
        for passed in string.gmatch(ARGV[9] or '', '%d+') do
          if passed ~= last and passed ~= ARGV[5] then
            event(id, 'PROCESSING', 'step ' .. passed)
            last = passed
          end
        end
        if f[4] ~= ARGV[5] then event(id, 'PROCESSING', 'step ' .. ARGV[5] .. ' ' .. ARGV[7]) end
        if ARGV[10] and ARGV[10] ~= '' then redis.call('HSET', k, 'device', ARGV[10]) end
        if f[3] == '1' then return {'CANCEL'} end
        return {'OK'}
        """

    /// complete(prefix, id, fence, result)
    static let complete = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local f = redis.call('HMGET', k, 'state', 'fence')
        if f[1] == 'COMPLETED' and f[2] == ARGV[3] then return {'OK_ALREADY'} end
        if f[1] ~= 'PROCESSING' or f[2] ~= ARGV[3] then
          redis.call('HINCRBY', p .. 'stats', 'fence_rejected', 1)
          return {'STALE', f[1] or 'UNKNOWN'}
        end
        redis.call('HSET', k, 'result', ARGV[4], 'step', 10, 'pct', 100, 'step_name', 'notify')
        redis.call('HDEL', k, 'detail', 'last_error')
        finished(id, k, 'COMPLETED')
        redis.call('HINCRBY', p .. 'stats', 'completed', 1)
        return {'OK'}
        """

    /// fail(prefix, id, fence, error, retryable 1|0, base_delay_ms)
    static let fail = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local f = redis.call('HMGET', k, 'state', 'fence')
        if f[1] ~= 'PROCESSING' or f[2] ~= ARGV[3] then
          redis.call('HINCRBY', p .. 'stats', 'fence_rejected', 1)
          return {'STALE', f[1] or 'UNKNOWN'}
        end
        return failed(id, k, ARGV[4], ARGV[5] == '1', tonumber(ARGV[6]))
        """

    /// release(prefix, id, fence): a graceful shutdown gives the job back, the attempt not counted.
    static let release = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local f = redis.call('HMGET', k, 'state', 'fence')
        if f[1] ~= 'PROCESSING' or f[2] ~= ARGV[3] then
          redis.call('HINCRBY', p .. 'stats', 'fence_rejected', 1)
          return {'STALE', f[1] or 'UNKNOWN'}
        end
        if cancelIfAsked(id, k, 'released') then return {'CANCELLED'} end
        unbind(id, k)
        redis.call('HINCRBY', k, 'attempts', -1)
        redis.call('HINCRBY', k, 'fence', 1)
        redis.call('HSET', k, 'state', 'QUEUED')
        redis.call('ZREM', p .. 'active', id)
        redis.call('ZADD', p .. 'pending', score(k), id)
        redis.call('HINCRBY', p .. 'stats', 'released', 1)
        wake()
        event(id, 'QUEUED', 'released')
        return {'OK'}
        """

    /// cancel(prefix, id)
    static let cancel = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local state = redis.call('HGET', k, 'state')
        if not state then return {'UNKNOWN'} end
        if state == 'QUEUED' or state == 'RETRYING' then
          redis.call('ZREM', p .. (state == 'QUEUED' and 'pending' or 'delayed'), id)
          finished(id, k, 'CANCELLED')
          redis.call('HINCRBY', p .. 'stats', 'cancelled', 1)
          return {'CANCELLED'}
        end
        if state == 'PROCESSING' then
          redis.call('HSET', k, 'cancel_requested', 1)
          event(id, 'PROCESSING', 'cancel requested')
          return {'REQUESTED'}
        end
        return {'FINISHED', state}
        """

    /// reap(prefix, limit, base_delay_ms): jobs whose lease ran out are retried (a failed
    /// attempt) or, when their cancel was requested, cancelled; their fence moves on.
    static let reap = prelude + """
        local reaped = 0
        for _, id in ipairs(redis.call('ZRANGE', p .. 'active', '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))) do
          local k = p .. 'job:' .. id
          redis.call('HINCRBY', k, 'fence', 1)
          redis.call('HINCRBY', p .. 'stats', 'lease_expired', 1)
          if redis.call('HGET', k, 'cancel_requested') == '1' then
            finished(id, k, 'CANCELLED', 'lease expired')
            redis.call('HINCRBY', p .. 'stats', 'cancelled', 1)
          else
            failed(id, k, 'the worker stopped renewing its lease', true, tonumber(ARGV[3]))
          end
          reaped = reaped + 1
        end
        return {'OK', tostring(reaped)}
        """

    /// retry(prefix, id): a FAILED job back to the queue, attempts reset.
    static let retry = prelude + """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local state = redis.call('HGET', k, 'state')
        if state ~= 'FAILED' then return {'NOT_FAILED', state or 'UNKNOWN'} end
        redis.call('ZREM', p .. 'failed', id)
        redis.call('PERSIST', k)
        redis.call('HINCRBY', k, 'fence', 1)
        redis.call('HSET', k, 'state', 'QUEUED', 'attempts', 0, 'cancel_requested', 0)
        redis.call('ZADD', p .. 'pending', score(k), id)
        wake()
        event(id, 'QUEUED', 'retried')
        return {'OK'}
        """

    /// A fenced check of the job, shared by the scripts a worker calls while it holds a job.
    static let fenced = """
        local id = ARGV[2]
        local k = p .. 'job:' .. id
        local f = redis.call('HMGET', k, 'state', 'fence')
        if f[1] ~= 'PROCESSING' or f[2] ~= ARGV[3] then
          redis.call('HINCRBY', p .. 'stats', 'fence_rejected', 1)
          return {'STALE', f[1] or 'UNKNOWN'}
        end

        """

    /// cancelled(prefix, id, fence): the worker stopped a job whose cancel was requested.
    static let cancelled = prelude + fenced + """
        finished(id, k, 'CANCELLED', 'stopped by its worker')
        redis.call('HINCRBY', p .. 'stats', 'cancelled', 1)
        return {'OK'}
        """

    /// publish_begin(prefix, id, fence): records the intent to publish under the fence. Returns
    /// PUBLISHED with the recorded result when an earlier attempt finished publishing (nothing
    /// to push), else STARTED with the fence of an earlier attempt that began (the push is then
    /// repeated with the same key and must find the destination already holding it).
    static let publishBegin = prelude + fenced + """
        local h = redis.call('HMGET', k, 'published', 'publish_started')
        if h[1] then
          redis.call('HINCRBY', p .. 'stats', 'publish_dedup', 1)
          return {'PUBLISHED', h[1]}
        end
        redis.call('HSET', k, 'publish_started', ARGV[3])
        return {'STARTED', h[2] or ''}
        """

    /// publish_done(prefix, id, fence, result): records that the push is done.
    static let publishDone = prelude + fenced + """
        redis.call('HSET', k, 'published', ARGV[4])
        redis.call('HINCRBY', p .. 'stats', 'published', 1)
        return {'OK'}
        """
}
