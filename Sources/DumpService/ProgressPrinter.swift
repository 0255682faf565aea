internal import Foundation
internal import DumpCore
internal import Synchronization

/// Shows progress on standard error: a redrawn bar on a terminal, one line per step otherwise.
final class ProgressPrinter: Sendable {
    private struct State {
        var lastStep: DumpStep?
        var lastDraw = ContinuousClock.now - .seconds(1)
        var drewBar = false
    }

    private let isTerminal: Bool
    private let state = Mutex(State())

    init(isTerminal: Bool = isatty(2) == 1) { self.isTerminal = isTerminal }

    func report(_ progress: DumpProgress) {
        state.withLock { state in
            if isTerminal {
                let now = ContinuousClock.now
                guard progress.step != state.lastStep || now - state.lastDraw >= .milliseconds(100) else { return }
                state.lastDraw = now
                state.lastStep = progress.step
                state.drewBar = true
                let percent = progress.overallPercent
                let filled = percent * 24 / 100
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
                var line = "[\(bar)] \(String(percent).leftPadded(3))% [\(progress.step.position)] \(progress.step)"
                if !progress.detail.isEmpty { line += ": " + progress.detail }
                let columns = 100
                if line.count > columns { line = String(line.prefix(columns - 1)) + "…" }
                Self.write("\r\u{1B}[2K" + line)
            } else if progress.isMilestone {
                state.lastStep = progress.step
                Self.write("[\(progress.step.position)] \(progress.step)\(progress.detail.isEmpty ? "" : ": " + progress.detail)\n")
            }
        }
    }

    /// Ends the bar's line so that what follows starts on a fresh line.
    func finish() {
        state.withLock { state in
            if state.drewBar { Self.write("\r\u{1B}[2K") }
            state.drewBar = false
        }
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
