public import DumpCore

/// Several sources read one after the other as one stream (`system.new.dat.1`, `.2`, … joined).
/// Each part is opened only when the previous one ends.
public struct ConcatenatedSource: ByteSource {
    private var openers: [() throws -> any ByteSource]
    private var current: (any ByteSource)?

    /// Joins the parts `openers` open, in order.
    public init(_ openers: [() throws -> any ByteSource]) {
        self.openers = openers.reversed()
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if current == nil {
                guard let next = openers.popLast() else { return 0 }
                current = try next()
            }
            let n = try current!.read(into: buffer)
            if n > 0 || buffer.count == 0 { return n }
            current = nil
        }
    }
}
