/// What an inline button sends back (its `callback_data`, at most 64 bytes): review actions on a
/// request, and the answer to a `/restart` confirmation that only its requester may give.
public enum BotCallback: Sendable, Hashable {
    case accept(request: String)
    case reject(request: String)
    case cancelRequest(request: String)
    /// Flips one option letter (`a`, `f`, `p` or `b`) on the review card.
    case toggle(request: String, option: Character)
    case submit(request: String)
    /// `token` names one confirmation; `user` is the only one who may answer it.
    case restartConfirm(user: Int64, token: String)
    case restartCancel(user: Int64, token: String)

    /// The button's data.
    public var data: String {
        switch self {
        case .accept(let id): "rv:accept:\(id)"
        case .reject(let id): "rv:reject:\(id)"
        case .cancelRequest(let id): "rv:cancel:\(id)"
        case .toggle(let id, let option): "rv:toggle:\(id):\(option)"
        case .submit(let id): "rv:submit:\(id)"
        case .restartConfirm(let user, let token): "rs:yes:\(user):\(token)"
        case .restartCancel(let user, let token): "rs:no:\(user):\(token)"
        }
    }

    /// The callback in `data`; nil for anything else (stale or forged buttons are ignored).
    public init?(data: String) {
        let parts = data.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("rv", 3):
            let id = parts[2]
            guard BotCommand.isRequestID(id) else { return nil }
            switch parts[1] {
            case "accept": self = .accept(request: id)
            case "reject": self = .reject(request: id)
            case "cancel": self = .cancelRequest(request: id)
            case "submit": self = .submit(request: id)
            default: return nil
            }
        case ("rv", 4):
            guard parts[1] == "toggle", BotCommand.isRequestID(parts[2]), parts[3].count == 1, "afpb".contains(parts[3]) else { return nil }
            self = .toggle(request: parts[2], option: Character(parts[3]))
        case ("rs", 4):
            guard let user = Int64(parts[2]), !parts[3].isEmpty, parts[3].count <= 16, parts[3].allSatisfy(\.isHexDigit) else { return nil }
            switch parts[1] {
            case "yes": self = .restartConfirm(user: user, token: parts[3])
            case "no": self = .restartCancel(user: user, token: parts[3])
            default: return nil
            }
        default: return nil
        }
    }
}
