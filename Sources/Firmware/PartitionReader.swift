#if canImport(Glibc)
internal import Glibc
#endif
internal import Foundation
internal import Synchronization
public import DumpCore

/// Opens a raw partition image as a file tree: regular files with their execute bits, symlinks as
/// symlinks, empty files kept.
public protocol PartitionReader: Sendable {
    /// Opens `image`; a reader that needs a temporary tree puts it in the empty directory `scratch`.
    /// Throws a `FirmwareError` naming the image.
    func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource
}

/// The default reader: ext4 natively (straight from the image, no temporary tree); EROFS through
/// `fsck.erofs` in a sandbox until its native reader lands.
///
/// There is deliberately no `debugfs` fallback for ext4 features the native reader lacks: debugfs
/// writes whatever names a hostile image holds (`../../etc/…`) relative to its output directory.
public struct DefaultPartitionReader: PartitionReader {
    public init() {}

    public func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource {
        switch image.kind {
        case .ext4:
            do { return try Ext4TreeSource(image: try image.open()) } catch let error as Ext4Unsupported {
                throw FirmwareError(file: image.origin, cause: "\(error); dumpyard cannot read this ext4 image yet")
            }
        default:
            return try ExternalToolReader().open(image, scratch: scratch)
        }
    }
}

/// The Debian tools as a reader: `fsck.erofs --extract` for EROFS, run inside a bubblewrap
/// sandbox where the whole system is read-only but `scratch`, so names in a hostile image cannot
/// write anywhere else. The extracted tree is then walked without following symlinks.
public struct ExternalToolReader: PartitionReader {
    public init() {}

    public func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource {
        guard image.kind == .erofs else { throw FirmwareError(file: image.origin, cause: "no reader for a \(image.kind)") }
        // fsck.erofs reads a whole file: an image laid out elsewhere (inside super.img) is copied out first.
        let file = try image.open()
        var path = image.backing.path
        let copy = scratch + ".image"
        let backingSize = try OpenFile(path: path, origin: image.origin).size
        if file.contiguous?.offset != 0 || file.size != backingSize {
            try file.materialize(to: copy)
            path = copy
        }
        defer { unlink(copy) }
        // fsck.erofs writes the whole tree: it is stopped once the tree takes more than 4 × what
        // the image stores + 1 GiB (a file of zeros compresses 200:1), or the disk nears full.
        let limit = 4 &* file.storedBytes &+ (1 << 30)
        let freeAtStart = Self.freeBytes(scratch)
        let watch: @Sendable () -> String? = {
            let free = Self.freeBytes(scratch)
            if free < 512 << 20 { return "the work directory is nearly full (WORK_DIR_BASE)" }
            if freeAtStart > free && freeAtStart - free > limit {
                return "its files take more than \(limit >> 20) MiB, 4 × what the image stores + 1 GiB: a decompression bomb"
            }
            return nil
        }
        let result = try ToolRun.sandboxed(
            "fsck.erofs", ["--extract=\(scratch)", "--overwrite", path], writable: scratch, file: image.origin, watch: watch)
        // fsck.erofs can report errors ("<E> …") and still exit 0 with nothing extracted.
        let errors = result.stderrLines.filter { $0.hasPrefix("<E>") }
        if result.status != 0 || !errors.isEmpty {
            let cause = (errors.last ?? result.stderrLines.last ?? "fsck.erofs exited with status \(result.status)")
                .replacingOccurrences(of: scratch, with: "…")
            throw FirmwareError(file: image.origin, cause: "cannot read the EROFS file system: \(cause)")
        }
        return DirectoryTreeSource(root: scratch)
    }

    static func freeBytes(_ path: String) -> UInt64 {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return .max }
        return UInt64(fs.f_bavail) &* UInt64(fs.f_frsize)
    }
}

/// Runs a tool to completion, capturing the start of its standard error.
enum ToolRun {
    struct Result {
        var status: Int32
        var stderrLines: [String]
    }

    /// The most standard error kept; the rest is read and dropped, so a chatty tool cannot fill memory.
    static let stderrLimit = 64 * 1024

    /// Runs `tool` under bubblewrap: everything read-only except `writable`, no network, no new
    /// privileges, killed with its parent.
    static func sandboxed(
        _ tool: String, _ arguments: [String], writable: String, file: String, watch: (@Sendable () -> String?)? = nil
    ) throws -> Result {
        guard let sandbox = locate("bwrap") else {
            throw FirmwareError(file: file, cause: "bwrap (bubblewrap) is not installed, and \(tool) is only run inside it (run scripts/setup.sh)")
        }
        guard let executable = locate(tool) else {
            throw FirmwareError(file: file, cause: "\(tool) is not installed (run scripts/setup.sh)")
        }
        let result = try run(sandbox, [
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", writable, writable,
            "--unshare-all", "--die-with-parent", "--new-session", "--", executable,
        ] + arguments, file: file, watch: watch)
        if result.status != 0, let line = result.stderrLines.first(where: { $0.hasPrefix("bwrap:") }) {
            throw FirmwareError(file: file, cause: "cannot start the sandbox for \(tool): \(line)")
        }
        return result
    }

    /// Runs `executable`; `watch` is asked every 100 ms while it runs, and a reason it gives
    /// kills the tool and becomes the error.
    static func run(_ executable: String, _ arguments: [String], file: String, watch: (@Sendable () -> String?)? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch { throw FirmwareError(file: file, cause: "cannot start \(executable): \(error.localizedDescription)") }
        let stopped = Mutex<String?>(nil)
        let done = Atomic<Bool>(false)
        if let watch {
            let pid = process.processIdentifier
            Thread.detachNewThread {
                while !done.load(ordering: .relaxed) {
                    if let reason = watch() {
                        stopped.withLock { $0 = reason }
                        kill(pid, SIGKILL)
                        return
                    }
                    usleep(100_000)
                }
            }
        }
        defer { done.store(true, ordering: .relaxed) }
        var kept = Data()
        let reader = errors.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            if kept.count < stderrLimit { kept.append(chunk.prefix(stderrLimit - kept.count)) }
        }
        process.waitUntilExit()
        done.store(true, ordering: .relaxed)
        if let reason = stopped.withLock({ $0 }) { throw FirmwareError(file: file, cause: "stopped reading it: \(reason)") }
        let text = String(decoding: kept, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return Result(status: process.terminationStatus, stderrLines: lines)
    }

    static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
