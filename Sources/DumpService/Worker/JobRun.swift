internal import DumpCore
internal import JobQueue
internal import Synchronization

/// The live state of one job a worker holds, shared by the thread that runs it and the thread
/// that beats for it: progress to report, and why it must stop, if it must.
final class JobRun: Sendable {
    /// Why the worker stops a job before it ends.
    enum Stop: Sendable, Hashable {
        /// Its cancel was requested.
        case cancel
        /// Another worker owns it now (the fence moved on).
        case lost
        /// No heartbeat got through for the self-fence time: the lease may be gone.
        case fenced
        /// The worker is shutting down and the grace time is over: give it back.
        case shutdown
        /// The firmware was dumped before (same URL or same bytes): the recorded dump, as JSON.
        case alreadyDumped(String)
    }

    struct State: Sendable {
        var step = 1
        var fraction = 0.0
        var detail = ""
        var stop: Stop?
        var lastRenewal: ContinuousClock.Instant
        var process: JobProcess?
        /// The job is being completed: a beat that finds the job no longer held (it was just
        /// completed) is no news. Not set on the way to a failure or a stop, where a lost lease
        /// is news to log.
        var settling = false
        /// Steps entered since the last beat, for the beat to report (each step gets its event).
        var entered: [Int] = [1]
        /// "brand codename", once the job's properties are read.
        var device: String?
        /// Called when a new step begins (the heartbeat beats at once).
        var onNewStep: (@Sendable () -> Void)?
    }

    let job: ClaimedJob
    let state: Mutex<State>
    private let killGrace: Duration

    init(job: ClaimedJob, killGrace: Duration) {
        self.job = job
        self.killGrace = killGrace
        state = Mutex(State(lastRenewal: .now))
    }

    /// Progress from the job's process (steps 1–8) or the worker itself (9, 10).
    /// Steps only move forward: the pipeline runs some at once (images expand while partitions
    /// are read), and a report of an earlier step is ignored. A step skipped (a firmware without
    /// boot images) counts as entered on the way, so every step reaches the event stream in order.
    func report(step: Int, fraction: Double, detail: String = "") {
        let hook = state.withLock { state -> (@Sendable () -> Void)? in
            guard step >= state.step else { return nil }
            let previous = state.step
            state.step = step
            state.fraction = fraction
            state.detail = detail
            guard step > previous else { return nil }
            state.entered += Array((previous + 1)...step)
            return state.onNewStep
        }
        hook?()
    }

    /// The steps entered since the last call, the current one last.
    func takeEnteredSteps() -> [Int] {
        state.withLock { state in
            defer { state.entered = [] }
            return state.entered
        }
    }

    /// Gives back steps a beat could not report, ahead of any entered since.
    func restoreEnteredSteps(_ steps: [Int]) {
        state.withLock { $0.entered = steps + $0.entered }
    }

    /// Overall percent across the ten steps.
    var percent: Int {
        state.withLock { state in
            let step = DumpStep(rawValue: min(max(state.step, 1), 10)) ?? .validate
            return DumpProgress(step: step, fraction: state.fraction).overallPercent
        }
    }

    /// Stops the job for `reason` (the first reason wins) and its process group with it.
    func stop(_ reason: Stop) {
        let process = state.withLock { state -> JobProcess? in
            guard state.stop == nil else { return nil }
            state.stop = reason
            return state.process
        }
        process?.stop(grace: killGrace)
    }

    var stopReason: Stop? { state.withLock { $0.stop } }

    /// Attaches the job's process; a stop that came first stops it at once.
    func attach(_ process: JobProcess) {
        let stopped = state.withLock { state in
            state.process = process
            return state.stop != nil
        }
        if stopped { process.stop(grace: killGrace) }
    }
}
