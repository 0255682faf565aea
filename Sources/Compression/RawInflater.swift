internal import CIsal

/// Inflates a raw deflate stream (as zip members hold them) with ISA-L, computing the CRC-32
/// of the output on the way. Several times faster than zlib's inflate.
/// The corresponding C functions are `isal_inflate_init` and `isal_inflate`.
public final class RawInflater {
    // inflate_state is a large struct; keep it at a stable heap address.
    private let state: UnsafeMutablePointer<inflate_state>
    /// True once the final deflate block was decoded.
    public private(set) var isFinished = false

    public init() {
        state = .allocate(capacity: 1)
        state.initialize(to: inflate_state())
        reset()
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Starts a new stream.
    public func reset() {
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP_NO_HDR)
        isFinished = false
    }

    /// The CRC-32 of everything produced so far (final once `isFinished`).
    public var crc32: UInt32 { state.pointee.crc }

    /// Decodes from `input` into `output`; returns (bytes consumed, bytes produced).
    /// Call again with the unconsumed input when `output` filled up.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError) -> (consumed: Int, produced: Int) {
        guard !isFinished, output.count > 0 else { return (0, 0) }
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(min(input.count, Int(UInt32.max)))
        state.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(min(output.count, Int(UInt32.max)))
        let before = state.pointee.avail_in
        let outBefore = state.pointee.avail_out
        let rc = isal_inflate(state)
        guard rc == ISAL_DECOMP_OK else {
            throw CompressionError(function: "isal_inflate", code: rc, message: "corrupt deflate data")
        }
        if state.pointee.block_state == ISAL_BLOCK_FINISH { isFinished = true }
        state.pointee.next_in = nil
        state.pointee.next_out = nil
        return (Int(before - state.pointee.avail_in), Int(outBefore - state.pointee.avail_out))
    }
}
