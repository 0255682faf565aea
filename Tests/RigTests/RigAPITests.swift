import DumpTestSupport
import Foundation
import Testing

/// The GitLab stand-in's REST API as a client sees it through the rig's front: creation, error
/// shapes, auth, pagination, fault injection (reference/git.md §4.1, §5.3).
@Suite struct RigAPITests {
    @Test func groupsSubgroupsAndProjectsAreCreatedWithGitLabsErrorShapes() throws {
        let rig = try Rig()
        let top = try rig.api("POST", "/groups", json: ["name": "Dumps", "path": "dumps"])
        #expect(top.status == 201)
        let sub = try rig.api("POST", "/groups", json: ["name": "Yardphone", "path": "yardphone", "parent_id": top.object["id"] ?? 0])
        #expect(sub.status == 201)
        #expect(sub.object["full_path"] as? String == "dumps/yardphone")
        #expect(try rig.api("GET", "/groups/dumps%2Fyardphone").object["id"] as? Int == sub.object["id"] as? Int)

        let project = try rig.api("POST", "/projects", json: ["name": "gravel", "namespace_id": sub.object["id"] ?? 0])
        #expect(project.status == 201)
        #expect(project.object["path_with_namespace"] as? String == "dumps/yardphone/gravel")
        #expect(project.object["http_url_to_repo"] as? String == rig.url + "/dumps/yardphone/gravel.git")
        #expect(try rig.api("GET", "/projects/dumps%2Fyardphone%2Fgravel").object["id"] as? Int == project.object["id"] as? Int)

        let again = try rig.api("POST", "/projects", json: ["path": "gravel", "namespace_id": "dumps/yardphone"])
        #expect(again.status == 400)
        #expect((again.object["message"] as? [String: Any])?["path"] as? [String] == ["has already been taken"])
        let groupAgain = try rig.api("POST", "/groups", json: ["name": "Dumps", "path": "dumps"])
        #expect(groupAgain.status == 400)
        #expect(groupAgain.object["message"] as? String == #"Failed to save group {:path=>["has already been taken"]}"#)
        let badPath = try rig.api("POST", "/projects", json: ["path": "-gravel.git", "namespace_id": "dumps"])
        #expect(badPath.status == 400)
        #expect(((badPath.object["message"] as? [String: Any])?["path"] as? [String])?.first?.hasPrefix("can contain only") == true)

        let absent = try rig.api("GET", "/projects/dumps%2Fyardphone%2Fabsent")
        #expect(absent.status == 404)
        #expect(absent.object["message"] as? String == "404 Project Not Found")
        #expect(try rig.api("GET", "/groups/dumps%2Fabsent").object["message"] as? String == "404 Group Not Found")
        #expect(try rig.api("GET", "/no/such/route").object["error"] as? String == "404 Not Found")
    }

    @Test func aWrongOrMissingTokenIs401AndBothTokenHeadersWork() throws {
        let rig = try Rig()
        for headers in [[], ["PRIVATE-TOKEN: wrong"], ["Authorization: Bearer wrong"]] {
            let answer = try rig.api("GET", "/user", headers: headers)
            #expect(answer.status == 401)
            #expect(answer.object["message"] as? String == "401 Unauthorized")
        }
        #expect(try rig.api("GET", "/user", headers: ["Authorization: Bearer \(rig.token)"]).status == 200)
        #expect(try rig.api("GET", "/user").object["username"] as? String == "root")
    }

    @Test func listsCarryPaginationHeadersAndAbsoluteLinks() throws {
        let rig = try Rig()
        for name in ["a", "b", "c"] {
            #expect(try rig.api("POST", "/groups", json: ["name": name, "path": name]).status == 201)
        }
        let first = try rig.api("GET", "/groups?per_page=2")
        #expect((first.json as? [Any])?.count == 2)
        #expect(first.headers["x-total"] == "3" && first.headers["x-total-pages"] == "2")
        #expect(first.headers["x-page"] == "1" && first.headers["x-next-page"] == "2" && first.headers["x-prev-page"] == "")
        let link = first.headers["link"] ?? ""
        #expect(link.contains("<\(rig.url)/api/v4/groups?page=2&per_page=2>; rel=\"next\""), "\(link)")
        #expect(link.contains("rel=\"last\"") && !link.contains("rel=\"prev\""))
        let last = try rig.api("GET", "/groups?per_page=2&page=2")
        #expect((last.json as? [Any])?.count == 1)
        #expect(last.headers["x-next-page"] == "" && last.headers["x-prev-page"] == "1")
    }

    @Test func faultsAreInjectedOnMatchingRequestsAndEveryRequestIsRecorded() throws {
        let rig = try Rig()
        try rig.fault(["method": "POST", "path": "/api/v4/groups", "status": 429, "retry_after": 7])
        try rig.fault(["method": "POST", "path": "/api/v4/groups", "status": 503])
        try rig.fault(["method": "POST", "path": "/api/v4/groups", "race": true])
        let limited = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"])
        #expect(limited.status == 429 && limited.headers["retry-after"] == "7" && limited.headers["ratelimit-reset"] != nil)
        #expect(try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"]).status == 503)
        let raced = try rig.api("POST", "/groups", json: ["name": "dumps", "path": "dumps"])
        #expect(raced.status == 400)
        #expect(raced.object["message"] as? String == #"Failed to save group {:path=>["has already been taken"]}"#)
        #expect(try rig.api("GET", "/groups/dumps").status == 200, "the raced creation happened")

        try rig.fault(["path": "/api/v4/groups/[^/]+", "status": 429, "ratelimit_reset": 30])
        let resetOnly = try rig.api("GET", "/groups/dumps")
        #expect(resetOnly.status == 429 && resetOnly.headers["retry-after"] == nil && resetOnly.headers["ratelimit-reset"] != nil)
        try rig.fault(["path": "/api/v4/groups/[^/]+", "status": 429])
        let bare = try rig.api("GET", "/groups/dumps")
        #expect(bare.status == 429 && bare.headers["retry-after"] == nil && bare.headers["ratelimit-reset"] == nil)

        let recorded = try rig.requests().map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["status"] ?? "")" }
        #expect(recorded == [
            "POST /api/v4/groups 429", "POST /api/v4/groups 503", "POST /api/v4/groups 400", "GET /api/v4/groups/dumps 200",
            "GET /api/v4/groups/dumps 429", "GET /api/v4/groups/dumps 429",
        ])
    }
}
