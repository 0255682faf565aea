/// What the MEGA API's negative error numbers mean (the public API's published list).
enum MEGAErrorCode {
    static func meaning(_ code: Int64) -> String {
        switch code {
        case -1: "internal error (EINTERNAL)"
        case -2: "invalid arguments (EARGS)"
        case -3: "server busy, try again later (EAGAIN)"
        case -4: "rate limited (ERATELIMIT)"
        case -5: "request failed (EFAILED)"
        case -6: "too many requests or IP addresses for this file (ETOOMANY)"
        case -7: "out of range (ERANGE)"
        case -8: "link expired (EEXPIRED)"
        case -9: "file not found (ENOENT)"
        case -11: "access denied (EACCESS)"
        case -13: "file incomplete (EINCOMPLETE)"
        case -14: "decryption failed, wrong key (EKEY)"
        case -15: "invalid session (ESID)"
        case -16: "file blocked, taken down (EBLOCKED)"
        case -17: "transfer quota exceeded (EOVERQUOTA)"
        case -18: "temporarily unavailable, try again later (ETEMPUNAVAIL)"
        case -19: "too many connections (ETOOMANYCONNECTIONS)"
        default: "error \(code)"
        }
    }
}
