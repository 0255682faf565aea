internal import Crypto
internal import DumpCore
internal import Foundation
internal import Synchronization

/// Computes the SHA-256 of a file while its parts are still arriving: it hashes the contiguous
/// prefix written so far, reading it back from the page cache, so that only the tail is left when
/// the last part lands.
final class DigestFollower: @unchecked Sendable {
    private let target: DownloadTarget
    private let size: UInt64
    private let prefix: @Sendable () -> UInt64
    private let finished = DispatchSemaphore(value: 0)
    private let stop = Atomic(false)
    private let digest = StreamingDigest(.sha256)
    private var hashed: UInt64 = 0

    /// `prefix` says how many bytes from the start are complete.
    init(target: DownloadTarget, size: UInt64, prefix: @escaping @Sendable () -> UInt64) {
        self.target = target
        self.size = size
        self.prefix = prefix
        Thread.detachNewThread { [self] in
            follow()
            finished.signal()
        }
    }

    /// Waits for the whole file to be hashed (all parts complete) and returns the hex digest,
    /// or nil when the download was abandoned.
    func result(abandoned: Bool) -> String? {
        if abandoned { stop.store(true, ordering: .releasing) }
        finished.wait()
        guard !abandoned, hashed == size else { return nil }
        return Hex.encode(digest.finalize())
    }

    private func follow() {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while hashed < size && !stop.load(ordering: .acquiring) {
            let ready = prefix()
            guard ready > hashed else {
                usleep(20_000)
                continue
            }
            let want = Int(min(UInt64(buffer.count), ready - hashed))
            let count = buffer.withUnsafeMutableBytes { target.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: hashed) }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            hashed += UInt64(count)
        }
    }
}
