internal import Crypto
internal import Foundation
internal import HTTP
internal import Synchronization

/// The bytes of a download: one connection, or several taking byte-range segments in order when
/// the server takes ranges and the file is large. A connection that drops or stalls resumes its
/// segment where it stopped (`Range`), up to `attempts` times; without ranges it starts over.
final class RangedTransfer: @unchecked Sendable {
    private struct Part {
        var start: UInt64
        /// Exclusive; nil: to the end of a file of unknown size.
        var end: UInt64?
        var done: UInt64 = 0
    }

    private let source: DownloadSource
    private let target: DownloadTarget
    private let session: Session
    private let report: @Sendable (DownloadProgress) -> Void
    private let decryption: ContentDecryption?
    private let parts: Mutex<[Part]>
    /// The next segment a connection takes.
    private let nextPart = Atomic<Int>(0)
    private let connections: Int
    private let total = Atomic<UInt64>(0)
    private let resumes = Atomic<Int>(0)
    private let failed = Mutex<DownloadError?>(nil)
    private let lastReport = Mutex<(time: ContinuousClock.Instant, bytes: UInt64, rate: Double)>((.now, 0, 0))

    init(
        source: DownloadSource, target: DownloadTarget, session: Session, decryption: ContentDecryption?,
        progress: @escaping @Sendable (DownloadProgress) -> Void
    ) throws(DownloadError) {
        self.source = source
        self.decryption = decryption
        self.target = target
        self.session = session
        self.report = progress
        var plan: [Part] = [Part(start: 0, end: source.size)]
        var connections = 1
        let options = session.options
        if source.acceptsRanges, let size = source.size, size >= options.splitThreshold, options.connections > 1 {
            // Many segments taken in order by the connections, not one block each: the file then
            // grows from its start and the SHA-256 follows it, with only the last few segments
            // left to hash at the end. About 16 segments per connection, from half the split
            // threshold (32 MiB by default: a new request per segment costs one round trip) to
            // 128 MiB, on 64 KiB boundaries (a decrypting stream can start at any of them).
            let wanted = size / UInt64(options.connections * 16)
            let smallest = max(options.splitThreshold / 2, 1 << 16)
            let step = (min(max(wanted, smallest), max(smallest, 128 << 20)) + 0xFFFF) & ~UInt64(0xFFFF)
            plan = stride(from: UInt64(0), to: size, by: Int(step)).map { Part(start: $0, end: min($0 + step, size)) }
            connections = min(options.connections, plan.count)
            target.truncate(to: size)
        }
        self.connections = connections
        parts = Mutex(plan)
    }

    var received: UInt64 { total.load(ordering: .acquiring) }

    /// Downloads every part; returns the SHA-256, the connections used and the resumes.
    func run() throws(DownloadError) -> (String, Int, Int) {
        let count = parts.withLock { $0.count }
        // A server without ranges may have to start over: the file is hashed once it is whole.
        let follower = source.acceptsRanges ? source.size.map { size in
            DigestFollower(target: target, size: size) { [self] in
                self.parts.withLock { parts in
                    var prefix: UInt64 = 0
                    for part in parts {
                        prefix = part.start + part.done
                        guard let end = part.end, part.start + part.done == end else { break }
                    }
                    return prefix
                }
            }
        } : nil
        let group = DispatchGroup()
        for _ in 0..<connections {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                do throws(DownloadError) {
                    let transfer = try session.makeTransfer()
                    while failed.withLock({ $0 == nil }) {
                        let index = nextPart.add(1, ordering: .relaxed).oldValue
                        guard index < count else { break }
                        try fetch(part: index, over: transfer)
                    }
                } catch {
                    failed.withLock { if $0 == nil { $0 = error } }
                }
            }
        }
        group.wait()
        if let error = failed.withLock({ $0 }) {
            _ = follower?.result(abandoned: true)
            throw error
        }
        let digest: String?
        if let follower {
            digest = follower.result(abandoned: false)
        } else {
            // Unknown size: hash the finished file.
            let size = received
            digest = DigestFollower(target: target, size: size) { size }.result(abandoned: false)
        }
        guard let digest else { throw DownloadError(host: source.host, message: "cannot read back \(target.path) to hash it", retryable: true) }
        report(DownloadProgress(received: received, total: received, rate: lastReport.withLock { $0.rate }, connections: connections))
        return (digest, connections, resumes.load(ordering: .acquiring))
    }

    /// One part over a connection's transfer (kept alive between parts), resumed after drops and stalls.
    private func fetch(part index: Int, over transfer: HTTPTransfer) throws(DownloadError) {
        var attempt = 0
        while true {
            if failed.withLock({ $0 != nil }) { return }
            let part = parts.withLock { $0[index] }
            if let end = part.end, part.start + part.done >= end { return }
            let ranged = source.acceptsRanges
            var headers = source.headers
            // If-Range: a server whose file changed sends all of the new one (200), not a part of it.
            if ranged, let validator = source.etag.flatMap({ $0.hasPrefix("W/") ? nil : $0 }) ?? source.lastModified {
                headers["If-Range"] = validator
            }
            var (request, host) = try session.request(source.url, headers: headers)
            request.pinnedAddress = source.address
            if ranged {
                request.rangeStart = part.start + part.done
                request.rangeEnd = part.end.map { $0 - 1 }
            } else if part.done > 0 {
                // No ranges: start over.
                reset(part: index)
            }
            let offset = ranged ? part.start + part.done : 0
            // Encrypted content (MEGA) is decrypted from this connection's first byte on.
            let cipher = try decryption?.cipher(at: offset)
            var scratch: [UInt8] = []
            var status = 0
            var expectedFirst: UInt64?
            var changed: String?
            do throws(HTTPError) {
                try transfer.perform(request, head: { head in
                    status = head.status
                    expectedFirst = head.rangeFirst
                    if (200..<300).contains(head.status), let change = self.source.change(in: head) {
                        changed = change
                        return false
                    }
                    return ranged ? head.status == 206 && head.rangeFirst == offset : head.status == 200
                }, body: { chunk in
                    guard let cipher else { return self.write(chunk, part: index) }
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(contentsOf: chunk)
                    cipher.apply(&scratch)
                    return scratch.withUnsafeBytes { self.write($0, part: index) }
                }, progress: { _ in !self.session.isCancelled() && self.failed.withLock { $0 == nil } })
                if let end = part.end, parts.withLock({ $0[index].start + $0[index].done }) < end {
                    throw HTTPError(kind: .dropped, host: host, message: "the connection ended early")
                }
                if part.end == nil { return }
            } catch {
                if session.isCancelled() { throw DownloadError(host: host, message: "cancelled", retryable: false) }
                if let changed {
                    throw DownloadError(
                        host: host, message: "the file changed on the server while it downloaded: \(changed) (GET \(Session.shown(source.url)))",
                        retryable: true)
                }
                if let failure = failed.withLock({ $0 }) { throw failure }
                if error.kind == .stopped && status != 0 && !(ranged ? status == 206 && expectedFirst == offset : status == 200) {
                    let what = "GET \(Session.shown(source.url))" + (ranged ? " bytes \(offset)-" : "")
                    if (200..<300).contains(status) {
                        throw DownloadError(host: host, message: "HTTP \(status) (not the range asked for) for \(what)", retryable: true)
                    }
                    throw Session.statusFailure(HTTPResponseHead(status: status, headers: [:], version: ""), host: host, tried: what)
                }
                guard [.dropped, .timeout].contains(error.kind) || error.kind == .stopped else {
                    throw Session.failure(error, tried: "GET \(Session.shown(source.url))")
                }
                attempt += 1
                guard attempt < session.options.attempts else {
                    let reason = error.message
                    throw DownloadError(
                        host: host, message: "\(reason) (GET \(Session.shown(source.url)), \(attempt) attempts, resuming each time)", retryable: true)
                }
                resumes.add(1, ordering: .relaxed)
                Thread.sleep(forTimeInterval: min(8, 0.25 * Double(1 << min(attempt, 5))))
            }
        }
    }

    /// Writes a chunk at the part's position; false stops the transfer (disk full, size limit).
    private func write(_ chunk: UnsafeRawBufferPointer, part index: Int) -> Bool {
        let position = parts.withLock { $0[index].start + $0[index].done }
        let limit = session.options.maximumSize
        if let end = parts.withLock({ $0[index].end }), position + UInt64(chunk.count) > end { return fail("the server sent more than asked for") }
        if position + UInt64(chunk.count) > limit { return fail("the file grows past the limit of \(limit) bytes") }
        guard target.write(chunk, at: position) else {
            return fail("cannot write \(target.path): \(String(cString: strerror(errno)))", retryable: true)
        }
        parts.withLock { $0[index].done += UInt64(chunk.count) }
        let now = total.add(UInt64(chunk.count), ordering: .relaxed).newValue
        if source.size == nil, now % (64 << 20) < UInt64(chunk.count),
            let free = DownloadTarget.freeSpace(in: (target.path as NSString).deletingLastPathComponent), free < session.options.reserve
        {
            return fail("the disk is nearly full (\(free) bytes free)", retryable: true)
        }
        progress(now)
        return true
    }

    private func reset(part index: Int) {
        let done = parts.withLock { parts in
            defer { parts[index].done = 0 }
            return parts[index].done
        }
        total.subtract(done, ordering: .relaxed)
        target.truncate(to: 0)
    }

    private func fail(_ message: String, retryable: Bool = false) -> Bool {
        failed.withLock { if $0 == nil { $0 = DownloadError(host: source.host, message: message, retryable: retryable) } }
        return false
    }

    /// Reports at most four times a second, with a rate smoothed over the last seconds.
    private func progress(_ bytes: UInt64) {
        let now = ContinuousClock.now
        let update: DownloadProgress? = lastReport.withLock { last in
            let elapsed = (now - last.time).seconds
            guard elapsed >= 0.25 else { return nil }
            let instant = Double(bytes - min(bytes, last.bytes)) / elapsed
            last.rate = last.rate == 0 ? instant : last.rate * 0.7 + instant * 0.3
            last.time = now
            last.bytes = bytes
            return DownloadProgress(received: bytes, total: source.size, rate: last.rate, connections: connections)
        }
        if let update { report(update) }
    }
}
