internal import CArchive
#if canImport(Glibc)
internal import Glibc
#endif

/// The kind of an archive member.
public enum ArchiveEntryKind: Sendable, Hashable {
    case regular
    case directory
    case symlink(target: [UInt8])
    /// A hard link to an earlier member (tar): the same content under another path.
    case hardLink(target: [UInt8])
    /// A device node, fifo or socket (`type` names it).
    case other
}

/// One archive member's header.
public struct ArchiveEntry: Sendable, Hashable {
    /// The member's path as stored in the archive (raw bytes; may be hostile).
    public var path: [UInt8]
    /// What the member is.
    public var kind: ArchiveEntryKind
    /// The size of the member's data, when the archive records it.
    public var size: Int64?
    /// The Unix permission bits (0 when the archive records none).
    public var permissions: UInt32

    /// The path for display, invalid UTF-8 replaced.
    public var displayPath: String { String(decoding: path, as: UTF8.self) }
}

/// Reads an archive (zip, tar, 7z) member by member, streaming, with libarchive.
/// Owns its `struct archive`; one instance per thread.
/// The corresponding C functions are `archive_read_next_header` and `archive_read_data`.
public final class ArchiveReader {
    private let handle: OpaquePointer
    /// The archive's path.
    public let path: String

    /// Opens the archive at `path`; the format is detected from its content.
    public init(path: String, blockSize: Int = 1 << 20) throws(ArchiveError) {
        guard let handle = archive_read_new() else {
            throw ArchiveError(path: path, function: "archive_read_new", message: "out of memory")
        }
        self.handle = handle
        self.path = path
        // Seekable zip reads the central directory, so a truncated zip is an error, not a short listing.
        archive_read_support_format_zip_seekable(handle)
        archive_read_support_format_tar(handle)
        archive_read_support_format_gnutar(handle)
        archive_read_support_format_7zip(handle)
        // Only filters libarchive decodes itself: `filter_all` may run external programs (lrzip,
        // lzop, grzip) on untrusted data.
        archive_read_support_filter_gzip(handle)
        archive_read_support_filter_bzip2(handle)
        archive_read_support_filter_xz(handle)
        archive_read_support_filter_lzma(handle)
        archive_read_support_filter_zstd(handle)
        archive_read_support_filter_lz4(handle)
        try check(archive_read_open_filename(handle, path, blockSize), "archive_read_open_filename")
    }

    deinit { archive_read_free(handle) }

    /// The next member's header, or nil at the end of the archive.
    public func nextEntry() throws(ArchiveError) -> ArchiveEntry? {
        var entry: OpaquePointer?
        let rc = archive_read_next_header(handle, &entry)
        if rc == ARCHIVE_EOF { return nil }
        if rc < ARCHIVE_WARN { try check(rc, "archive_read_next_header") }
        guard let entry else { return nil }
        let path = Self.bytes(archive_entry_pathname(entry))
        let mode = archive_entry_filetype(entry)
        let kind: ArchiveEntryKind
        if let target = archive_entry_hardlink(entry) {
            // A hard link carries no data of its own: it names an earlier member.
            return ArchiveEntry(path: path, kind: .hardLink(target: Self.bytes(target)), size: 0, permissions: UInt32(archive_entry_perm(entry)))
        }
        switch mode & 0o170000 {
        case 0o100000: kind = .regular
        case 0o040000: kind = .directory
        case 0o120000: kind = .symlink(target: Self.bytes(archive_entry_symlink(entry)))
        default: kind = .other
        }
        let size: Int64? = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil
        return ArchiveEntry(path: path, kind: kind, size: size, permissions: UInt32(archive_entry_perm(entry)))
    }

    /// Reads the current member's next bytes into `buffer`; returns 0 at the member's end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
        let n = archive_read_data(handle, buffer.baseAddress, buffer.count)
        if n < 0 {
            // Even ARCHIVE_WARN (a CRC mismatch, a short member) means the bytes cannot be trusted.
            let message = archive_error_string(handle).map { String(cString: $0) } ?? "read error \(n)"
            throw ArchiveError(path: path, function: "archive_read_data", message: message)
        }
        return n
    }

    private func check(_ rc: Int32, _ function: String) throws(ArchiveError) {
        guard rc < ARCHIVE_WARN else { return }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? ""
        throw ArchiveError(path: path, function: function, message: message)
    }

    private static func bytes(_ s: UnsafePointer<CChar>?) -> [UInt8] {
        guard let s else { return [] }
        return Array(UnsafeRawBufferPointer(start: s, count: strlen(s)))
    }
}
