internal import Foundation
public import DumpCore

/// Opens a raw partition image as a file tree: regular files with their execute bits, symlinks as
/// symlinks, empty files kept.
public protocol PartitionReader: Sendable {
    /// Opens `image`; a reader that needs a temporary tree puts it in the empty directory `scratch`.
    /// Throws a `FirmwareError` naming the image.
    func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource
}

/// The default reader: ext4 natively (straight from the image, no temporary tree), falling back to
/// `debugfs` for ext4 features the native reader does not handle; EROFS through `fsck.erofs`
/// until its native reader lands.
public struct DefaultPartitionReader: PartitionReader {
    public init() {}

    public func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource {
        if image.kind == .ext4 {
            do { return try Ext4TreeSource(path: image.path, origin: image.origin) } catch is Ext4Unsupported {
                // Fall through to debugfs, which reads every ext4 feature.
            }
        }
        return try ExternalToolReader().open(image, scratch: scratch)
    }
}

/// The Debian tools as a reader (`debugfs -R rdump` for ext4, `fsck.erofs --extract` for EROFS):
/// the image is extracted into `scratch`, then read from there.
public struct ExternalToolReader: PartitionReader {
    public init() {}

    public func open(_ image: PartitionImage, scratch: String) throws -> any FileTreeSource {
        switch image.kind {
        case .ext4:
            // debugfs exits 0 even when it cannot open the image: its stderr is the verdict.
            let result = try ToolRun.run("debugfs", ["-c", "-R", "rdump / \(scratch)", image.path], file: image.origin)
            let problems = result.stderrLines.filter { !$0.hasPrefix("debugfs ") && !$0.contains("catastrophic mode") }
            if result.status != 0 || !problems.isEmpty {
                let cause = (problems.first ?? "debugfs exited with status \(result.status)")
                    .replacingOccurrences(of: " while trying to open \(image.path)", with: "")
                throw FirmwareError(file: image.origin, cause: "cannot read the ext4 file system: \(cause)")
            }
        case .erofs:
            let result = try ToolRun.run("fsck.erofs", ["--extract=\(scratch)", "--overwrite", image.path], file: image.origin)
            if result.status != 0 {
                let cause = result.stderrLines.last ?? "fsck.erofs exited with status \(result.status)"
                throw FirmwareError(file: image.origin, cause: "cannot read the EROFS file system: \(cause)")
            }
        default:
            throw FirmwareError(file: image.origin, cause: "no reader for a \(image.kind)")
        }
        return DirectoryTreeSource(root: scratch)
    }
}

/// Runs a tool to completion, capturing its standard error.
enum ToolRun {
    struct Result {
        var status: Int32
        var stderrLines: [String]
    }

    static func run(_ tool: String, _ arguments: [String], file: String) throws -> Result {
        guard let executable = locate(tool) else {
            throw FirmwareError(file: file, cause: "\(tool) is not installed (run scripts/setup.sh)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch { throw FirmwareError(file: file, cause: "cannot start \(tool): \(error)") }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return Result(status: process.terminationStatus, stderrLines: lines)
    }

    static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
