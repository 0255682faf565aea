internal import CCurl

/// libcurl's global state.
public enum HTTPLibrary {
    /// Initialises libcurl once, before any thread makes a transfer (call at start-up).
    public static func initialize() {
        _ = initialized
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
