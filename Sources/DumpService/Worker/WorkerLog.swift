internal import DumpCore
internal import Foundation

/// The worker's log: one line per event on standard error (journald keeps it), with the time and
/// the worker's id. Lines carry job ids and display URLs only, never a password or a private URL.
struct WorkerLog: Sendable {
    /// What every line names: `worker <id>` or `bot`.
    var source: String

    init(worker: String) { source = "worker " + worker }

    init(process: String) { source = process }

    func callAsFunction(_ message: String) {
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        let line = JobRequest.escapingControls("\(time) \(source): \(message)")
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
