/// A job's state (reference/queue.md §3.4).
public enum JobState: String, Sendable, Hashable, CaseIterable {
    case queued = "QUEUED", processing = "PROCESSING", retrying = "RETRYING"
    case completed = "COMPLETED", failed = "FAILED", cancelled = "CANCELLED"

    /// Completed, failed or cancelled: the job runs no more (unless retried).
    public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }

    /// The queue set a job in this state belongs to.
    public var set: String {
        switch self {
        case .queued: "pending"
        case .processing: "active"
        case .retrying: "delayed"
        case .failed: "failed"
        case .completed, .cancelled: "done"
        }
    }
}

/// A job a worker holds: its fence must come with every later call.
public struct ClaimedJob: Sendable, Hashable {
    public var id: String
    public var fence: Int64
    public var attempts: Int
    public var payload: [UInt8]
}

public enum SubmitOutcome: Sendable, Hashable { case queued, exists(JobState) }
public enum ClaimOutcome: Sendable, Hashable { case job(ClaimedJob), empty(retryIn: Duration?) }
public enum HeartbeatOutcome: Sendable, Hashable { case ok, cancel, lost }
public enum CancelOutcome: Sendable, Hashable { case cancelled, requested, alreadyFinished(JobState), unknown }
/// One job of a batch submit.
public struct JobSubmission: Sendable, Hashable {
    public var id: String
    public var payload: [UInt8]
    public var priority: Int
    public var maxRetries: Int

    public init(id: String, payload: [UInt8], priority: Int = 5, maxRetries: Int = 3) {
        self.id = id
        self.payload = payload
        self.priority = priority
        self.maxRetries = maxRetries
    }
}

/// What a worker learns when it is about to publish.
public enum PublishIntent: Sendable, Hashable {
    /// Publish now. `startedBefore`: an earlier attempt began publishing and may have pushed, so the
    /// destination may hold the result already (the push must be idempotent).
    case begin(startedBefore: Bool)
    /// An earlier attempt published; its recorded result is given. Push nothing.
    case alreadyPublished(result: String)
    /// The fence did not match: another owner has the job.
    case stale(JobState?)
}

public enum FinishOutcome: Sendable, Hashable {
    case done, alreadyDone, failed
    /// Its cancel had been asked for: the job ended CANCELLED instead.
    case cancelled
    case retrying(after: Duration)
    /// The fence did not match: the job moved on (state given); nothing was changed.
    case stale(JobState?)
}

/// A queue operation that could not run (Redis unreachable, or a reply the scripts never give).
public struct QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "queue \(operation) failed: \(message)" }
}
