internal import Foundation

/// One line a job process writes to its worker (JSON, one per line on its standard output):
/// progress through steps 1–8, then a result or an error.
struct JobEvent: Codable, Sendable {
    var step: Int?
    var fraction: Double?
    var detail: String?
    var result: JobResult?
    var error: JobFailureReport?
    /// The downloaded firmware's SHA-256, sent once step 2 is done (the worker looks it up).
    var digest: String?
    /// "brand codename", sent once the properties are read.
    var device: String?

    static func progress(_ step: Int, _ fraction: Double, _ detail: String) -> JobEvent {
        JobEvent(step: step, fraction: fraction, detail: detail)
    }

    /// The event as one line of JSON.
    var line: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// What a job process built, for the worker to publish: the commit is written, its branch is not
/// set yet.
struct JobResult: Codable, Sendable, Hashable {
    /// `git`: a dump repository; `synthetic`: a test job's stand-in destination.
    var kind: String
    var repository: String
    var branch: String
    var commit: String
    var message: String
    var brand: String
    var codename: String
    var files: Int
    /// The downloaded firmware's SHA-256 (nil for a local file).
    var digest: String?
    /// For the channel post: `ro.build.fingerprint`, the Android release and the board platform.
    var fingerprint: String?
    var release: String?
    var platform: String?
}

/// Why a job process failed: the step, the one-line cause, and whether another attempt may succeed.
struct JobFailureReport: Error, Codable, Sendable, Hashable {
    var step: Int
    var message: String
    var retryable: Bool
}

/// What a finished job records in the queue as its result (`dumpyard status <job>` shows it).
struct JobRecord: Codable, Sendable {
    /// `dumped`, `replaced` or `already_dumped`.
    var status: String
    var repository: String
    var branch: String
    var commit: String
    var brand: String
    var codename: String
    var files: Int
    /// The job that dumped this build, when this one found it already dumped by its URL or bytes.
    var dumpedBy: String?
    /// The firmware's SHA-256, when it was downloaded.
    var digest: String?
    var fingerprint: String?
    var release: String?
    var platform: String?
}

extension JobEvent {
    /// A value from the JSON `encode` writes.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(type, from: Data(text.utf8))
    }

    /// A value as one line of JSON (sorted keys).
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
