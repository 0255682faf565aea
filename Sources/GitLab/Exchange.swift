internal import Foundation
internal import HTTP

/// One request sent until it succeeds (2xx) or `retry` says stop: the loop every GitLab and LFS
/// call goes through. Answers that are not 2xx become `GitLabError`s with GitLab's message.
struct Exchange: Sendable {
    let transport: any GitLabTransport
    let retry: RetryPolicy
    let sleep: @Sendable (Duration) -> Void
    /// Text never repeated in an error, even when a server echoes it back (the token).
    var secrets: [String] = []

    func send(_ request: HTTPRequest, _ operation: String) throws(GitLabError) -> GitLabResponse {
        var attempt = 0
        while true {
            attempt += 1
            let response: GitLabResponse?
            var failure: HTTPError?
            do throws(HTTPError) { response = try transport.send(request) } catch {
                response = nil
                failure = error
            }
            if let response, (200..<300).contains(response.status) { return response }
            guard let wait = retry.wait(after: response, attempt: attempt, now: Date().timeIntervalSince1970) else {
                if let response {
                    throw GitLabError(operation: operation, status: response.status, message: Self.redacting(secrets, in: Self.message(of: response)))
                }
                let words = failure.map { "no answer from \($0.host): \($0.message)" } ?? "no answer"
                throw GitLabError(operation: operation, status: 0, message: words + (attempt > 1 ? " (\(attempt) tries)" : ""))
            }
            sleep(wait)
        }
    }

    /// GitLab's words for a failed call: `message` or `error` of its JSON, else the text's start.
    static func message(of response: GitLabResponse) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            for key in ["message", "error"] {
                if let text = object[key] as? String { return text }
                if let value = object[key], let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
                    return String(decoding: data, as: UTF8.self)
                }
            }
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? "no message" : text
    }

    static func redacting(_ secrets: [String], in text: String) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[token]") }
    }

    static let defaultSleep: @Sendable (Duration) -> Void = {
        Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18)
    }
}
