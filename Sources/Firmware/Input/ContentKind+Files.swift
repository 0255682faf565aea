public import DumpCore

extension FileSlice {
    /// What the slice holds, told by its first bytes.
    public func contentKind() throws(FirmwareError) -> ContentKind {
        ContentKind.detect(try bytes(at: 0, count: Int(min(length, UInt64(ContentKind.headerSize)))))
    }
}

extension ImageFile {
    /// What the image holds, told by its first bytes.
    public func contentKind() throws(FirmwareError) -> ContentKind {
        ContentKind.detect(try bytes(at: 0, count: Int(min(size, UInt64(ContentKind.headerSize)))))
    }
}
