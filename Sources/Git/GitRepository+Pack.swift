internal import CGit2

private final class PackSink {
    let write: ([UInt8]) throws -> Void
    var failure: (any Error)?
    init(write: @escaping ([UInt8]) throws -> Void) { self.write = write }
}

extension GitRepository {
    /// Streams a self-contained pack of `commit` and everything it reaches to `write`
    /// (`git_packbuilder_insert_commit`, `git_packbuilder_foreach`), using every core.
    /// Returns the number of objects packed.
    public func writePack(of commit: GitObjectID, to write: @escaping ([UInt8]) throws -> Void) throws -> Int {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, handle), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 0)
        var oid = commit.raw
        try check(git_packbuilder_insert_commit(builder, &oid), "git_packbuilder_insert_commit")
        let sink = PackSink(write: write)
        let rc = withExtendedLifetime(sink) {
            git_packbuilder_foreach(
                builder,
                { buffer, size, payload in
                    guard let payload else { return -1 }
                    let sink = Unmanaged<PackSink>.fromOpaque(payload).takeUnretainedValue()
                    let bytes = buffer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                    do { try sink.write(bytes) } catch {
                        sink.failure = error
                        return GIT_EUSER.rawValue
                    }
                    return 0
                }, Unmanaged.passUnretained(sink).toOpaque())
        }
        if let failure = sink.failure { throw failure }
        try check(rc, "git_packbuilder_foreach")
        return Int(git_packbuilder_object_count(builder))
    }
}
