/// The ten progress steps of a dump job, in order (DESIGN.md).
public enum DumpStep: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case validate = 1
    case download
    case unpackContainer
    case expandImages
    case readPartitions
    case bootImages
    case describe
    case commit
    case publish
    case notify

    /// The step's name as shown to users.
    public var description: String {
        switch self {
        case .validate: "validate"
        case .download: "download"
        case .unpackContainer: "unpack container"
        case .expandImages: "expand images"
        case .readPartitions: "read partitions"
        case .bootImages: "boot images"
        case .describe: "describe"
        case .commit: "commit"
        case .publish: "publish"
        case .notify: "notify"
        }
    }

    /// "3/10"-style position.
    public var position: String { "\(rawValue)/\(Self.allCases.count)" }
}

/// A progress report: the step, how far into it (0…1), and an optional detail line.
public struct DumpProgress: Sendable, Hashable {
    public var step: DumpStep
    public var fraction: Double
    public var detail: String
    /// True for reports worth a line of their own in a log (a step or a partition starting, the end),
    /// false for the frequent updates in between.
    public var isMilestone: Bool
    /// "brand codename", reported once the properties are read (step 7).
    public var device: String?

    public init(step: DumpStep, fraction: Double, detail: String = "", isMilestone: Bool = true, device: String? = nil) {
        self.step = step
        self.fraction = fraction
        self.detail = detail
        self.isMilestone = isMilestone
        self.device = device
    }

    /// Overall percent across the ten steps, steps weighted equally.
    public var overallPercent: Int {
        let done = Double(step.rawValue - 1) + min(max(fraction, 0), 1)
        return Int((done / Double(DumpStep.allCases.count) * 100).rounded(.down))
    }
}
