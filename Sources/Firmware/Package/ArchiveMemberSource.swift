public import Archive
public import DumpCore

/// The current member of an `ArchiveReader` as a `ByteSource`.
public struct ArchiveMemberSource: ByteSource {
    let reader: ArchiveReader

    public init(reader: ArchiveReader) { self.reader = reader }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try reader.read(into: buffer)
    }
}
