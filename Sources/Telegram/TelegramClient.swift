internal import Foundation
internal import HTTP

/// The Bot API over libcurl: every call with a hard deadline, `retry_after` honoured (within the
/// deadline), 5xx and lost connections tried again, "message is not modified" taken as success,
/// errors naming the method and Telegram's words, never the token. `baseURL` is
/// `https://api.telegram.org/bot` or a local Bot API server's (TELEGRAM_API_BASE_URL).
public final class TelegramClient: Sendable {
    private let endpoint: String
    private let token: String
    /// The longest any call may take, waits for `retry_after` included.
    public let deadline: Duration
    private let sleep: @Sendable (Duration) -> Void

    public init(baseURL: String = "https://api.telegram.org/bot", token: String, deadline: Duration = .seconds(30), sleep: (@Sendable (Duration) -> Void)? = nil) {
        endpoint = baseURL + token + "/"
        self.token = token
        self.deadline = deadline
        self.sleep = sleep ?? { Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
    }

    /// Calls `method` with JSON `parameters`; returns the `result`. `wait` is extra time a long
    /// poll may take beyond the deadline.
    @discardableResult
    public func call(_ method: String, _ parameters: [String: Any] = [:], wait: Duration = .zero) throws(TelegramError) -> Any {
        guard let body = try? JSONSerialization.data(withJSONObject: parameters) else {
            throw TelegramError(method: method, code: 0, message: "the parameters cannot be encoded")
        }
        return try call(method, body: Array(body), contentType: "application/json", wait: wait)
    }

    /// The methods whose repetition would show a second message.
    static let creatingMethods: Set<String> = ["sendMessage", "sendDocument"]

    /// Calls `method` with a ready body (JSON, or multipart for files).
    func call(_ method: String, body: [UInt8], contentType: String, wait: Duration = .zero) throws(TelegramError) -> Any {
        let until = ContinuousClock.now + deadline + wait
        // A call that creates a message is not sent again once one went unanswered: Telegram may
        // have carried it out, and the message would appear twice.
        let createsMessage = Self.creatingMethods.contains(method)
        var unanswered = false
        var attempt = 0
        while true {
            attempt += 1
            let left = until - .now
            guard left > .zero else {
                throw TelegramError(method: method, code: 0, message: "no answer within \(Int((deadline + wait).components.seconds)) s", mayHaveApplied: unanswered)
            }
            var request = HTTPRequest(method: "POST", url: endpoint + method, headers: ["Content-Type": contentType], body: body)
            request.totalTimeout = left
            request.stallTimeout = left
            request.connectTimeout = min(left, .seconds(10))
            let answer: (Int, [UInt8])
            do throws(HTTPError) { answer = try send(request) } catch {
                if error.requestSent { unanswered = true }
                guard attempt < 3, until - .now > .seconds(1), !(createsMessage && unanswered) else {
                    throw TelegramError(
                        method: method, code: 0, message: "no answer: \(error.message.replacingOccurrences(of: token, with: "[token]"))",
                        mayHaveApplied: unanswered)
                }
                sleep(.milliseconds(500 * attempt))
                continue
            }
            let object = (try? JSONSerialization.jsonObject(with: Data(answer.1))) as? [String: Any]
            if object?["ok"] as? Bool == true { return object?["result"] ?? NSNull() }
            let code = object?["error_code"] as? Int ?? answer.0
            let description = (object?["description"] as? String ?? "HTTP \(answer.0)").replacingOccurrences(of: token, with: "[token]")
            let retryAfter = (object?["parameters"] as? [String: Any])?["retry_after"] as? Int
            // An edit that changes nothing is what the caller wanted.
            if code == 400, description.contains("message is not modified") { return true }
            if let retryAfter, code == 429, ContinuousClock.now + .seconds(retryAfter) < until {
                sleep(.seconds(max(retryAfter, 0)))
                continue
            }
            if code >= 500, attempt < 3, until - .now > .seconds(1) {
                sleep(.milliseconds(500 * attempt))
                continue
            }
            throw TelegramError(method: method, code: code, message: description, retryAfter: retryAfter)
        }
    }

    private func send(_ request: HTTPRequest) throws(HTTPError) -> (Int, [UInt8]) {
        let (head, body) = try HTTPTransfer().fetch(request, limit: 8 << 20)
        return (head.status, body)
    }

    func decode<T: Decodable>(_ type: T.Type, _ value: Any, _ method: String) throws(TelegramError) -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]),
            let decoded = try? decoder.decode(type, from: data)
        else { throw TelegramError(method: method, code: 0, message: "an answer dumpyard cannot read") }
        return decoded
    }
}
