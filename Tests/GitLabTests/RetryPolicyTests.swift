import GitLab
import Testing

/// When the client asks GitLab again, and how long it waits (reference/git.md §4.1).
@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(attempts: 4, firstBackoff: .seconds(1), longestWait: .seconds(60))

    func answer(_ status: Int, _ headers: [String: String] = [:]) -> GitLabResponse {
        GitLabResponse(status: status, headers: headers, body: [])
    }

    @Test func aRateLimitWaitsAsTheServerSays() {
        #expect(policy.wait(after: answer(429, ["retry-after": "7"]), attempt: 1, now: 0) == .seconds(7))
        #expect(policy.wait(after: answer(429, ["ratelimit-reset": "1005"]), attempt: 1, now: 1000) == .seconds(5))
        #expect(policy.wait(after: answer(429, ["ratelimit-reset": "900"]), attempt: 1, now: 1000) == .zero, "a reset in the past")
        #expect(policy.wait(after: answer(429), attempt: 2, now: 0) == .seconds(2), "neither header: back off")
        #expect(policy.wait(after: answer(429, ["retry-after": "86400"]), attempt: 1, now: 0) == .seconds(60), "capped")
        #expect(policy.wait(after: answer(429, ["retry-after": "soon"]), attempt: 3, now: 0) == .seconds(4), "unreadable: back off")
    }

    @Test func serverErrorsAndSilenceBackOffOthersAreFinal() {
        #expect(policy.wait(after: answer(503), attempt: 1, now: 0) == .seconds(1))
        #expect(policy.wait(after: answer(500), attempt: 3, now: 0) == .seconds(4))
        #expect(policy.wait(after: nil, attempt: 2, now: 0) == .seconds(2), "no answer at all")
        for status in [400, 401, 403, 404, 409, 422] { #expect(policy.wait(after: answer(status), attempt: 1, now: 0) == nil) }
        #expect(policy.wait(after: answer(503), attempt: 4, now: 0) == nil, "the last try")
    }
}
