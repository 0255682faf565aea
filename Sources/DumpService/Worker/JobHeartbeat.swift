internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Synchronization

/// Beats for a job on its own connection (reference/queue.md §3.7): renews the lease with the
/// job's step and percent, learns of a cancel or of a lost job, and fences the worker off when no
/// beat got through for the self-fence time. Ends the grace time of a shutdown, too.
final class JobHeartbeat: Sendable {
    private let run: JobRun
    private let wake = DispatchSemaphore(value: 0)
    private let ended = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)
    private let shutdown: Shutdown

    init(run: JobRun, link: QueueLink, settings: WorkerSettings, shutdown: Shutdown, log: WorkerLog) {
        self.run = run
        self.shutdown = shutdown
        // A stop request wakes the beat at once: the grace time runs from the signal, not the next beat.
        shutdown.listen(self) { [wake] in wake.signal() }
        // A new step beats at once: every step reaches the event stream, and a cancel is learnt between steps.
        run.state.withLock { $0.onNewStep = { [wake] in wake.signal() } }
        Thread.detachNewThread { [self] in
            beat(link: link, settings: settings, shutdown: shutdown, log: log)
            finished.signal()
        }
    }

    /// Stops beating and waits for the thread to end.
    func end() {
        shutdown.stopListening(self)
        ended.store(true, ordering: .releasing)
        wake.signal()
        finished.wait()
    }

    private func beat(link: QueueLink, settings: WorkerSettings, shutdown: Shutdown, log: WorkerLog) {
        var fenced = false
        var nextBeat = ContinuousClock.now + settings.heartbeat
        while true {
            // While the worker stops, the grace time is checked four times a second, not once a beat.
            var pause = nextBeat - .now
            if shutdown.isRequested { pause = min(pause, .milliseconds(250)) }
            let nudged = wake.wait(timeout: .now() + max(pause, .zero).seconds) == .success
            if ended.load(ordering: .acquiring) { return }
            if nudged || ContinuousClock.now >= nextBeat {
                nextBeat = .now + settings.heartbeat
                beatOnce(link: link, settings: settings, log: log)
            }
            // After the beat: a cancel it brings wins over giving the job back.
            if shutdown.isPastGrace && run.stopReason == nil {
                log("job \(run.job.id): the shutdown grace time is over; stopping it to give it back")
                run.stop(.shutdown)
            }
            let silent = ContinuousClock.now - run.state.withLock { $0.lastRenewal }
            if silent > settings.selfFence && !fenced {
                fenced = true
                log("job \(run.job.id): no heartbeat for \(Int(silent.seconds)) s; fencing off (stopping it, publishing nothing)")
                run.stop(.fenced)
            }
        }
    }

    /// Renews the lease once with the job's step and percent; learns of a cancel or of a lost job.
    private func beatOnce(link: QueueLink, settings: WorkerSettings, log: WorkerLog) {
        let (step, detail, device) = run.state.withLock { ($0.step, $0.detail, $0.device) }
        let name = DumpStep(rawValue: step)?.description ?? "step \(step)"
        let percent = run.percent
        let entered = run.takeEnteredSteps()
        let outcome = link.attempt("heartbeat of job \(run.job.id)") { queue throws(QueueError) in
            try queue.heartbeat(
                run.job, lease: settings.lease, step: step, percent: percent, stepName: name, detail: detail, passed: entered.filter { $0 != step },
                device: device)
        }
        if outcome == nil { run.restoreEnteredSteps(entered) }
        switch outcome {
        case .ok?:
            run.state.withLock { $0.lastRenewal = .now }
        case .cancel?:
            run.state.withLock { $0.lastRenewal = .now }
            if run.stopReason == nil { log("job \(run.job.id): cancel requested; stopping it") }
            run.stop(.cancel)
        case .lost?:
            // The job's last beat may cross its completion: no longer held is then expected.
            if run.state.withLock({ $0.settling }) { return }
            if run.stopReason == nil { log("job \(run.job.id): lost — another worker owns it now; stopping it, publishing nothing") }
            run.stop(.lost)
        case nil:
            break
        }
    }
}
