import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

struct AccountsTests {
    /// After `failuresBeforeLock` failures in the window an e-mail is locked out until the window
    /// has passed since the last failure: 429 with the seconds left in `Retry-After`, even for
    /// the right password. The failures are written straight into the log here (reaching the lock
    /// through the API takes minutes of growing delays).
    @Test(arguments: Backend.allCases)
    func manyFailuresLockTheEmailWithRetryAfter(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            let now = Date()
            try await services.database.write(workspace: nil) { connection in
                for index in 0..<AuthService.failuresBeforeLock {
                    try await SignInStore.record(
                        SignInAttempt(
                            id: UUIDv7.make(), workspaceID: tenant.workspace.id, email: tenant.user.email, userID: tenant.user.id,
                            address: "192.0.2.\(index)", succeeded: false, reason: "password",
                            at: now.addingTimeInterval(Double(index - AuthService.failuresBeforeLock) * 10)),
                        on: connection)
                }
            }
            let body = #"{"email":"\#(tenant.user.email)","password":"password1","workspace":"\#(tenant.workspace.slug)"}"#
            try await client.execute(
                uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
            ) {
                response in
                #expect(response.status == .tooManyRequests)
                let seconds = Int(response.headers[.retryAfter] ?? "") ?? 0
                // The last failure was 10 s ago: the lock has about the whole window left.
                #expect(seconds > Int(AuthService.throttleWindow) - 60 && seconds <= Int(AuthService.throttleWindow))
                #expect(response.json["retry_after"] == .int(Int64(seconds)))
            }
            // Another e-mail from the same client is not locked.
            let other = try await services.auth.createUser(
                email: "other@\(tenant.workspace.slug).test", password: "password2", name: "Other", isAdmin: false,
                workspaceID: tenant.workspace.id)
            let otherBody = #"{"email":"\#(other.email)","password":"password2","workspace":"\#(tenant.workspace.slug)"}"#
            try await client.execute(
                uri: "/api/v1/auth/token", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: otherBody)
            ) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Several profiles: the most permissive wins per action; a field rule holds only where
    /// every profile that reads the entity has one; conditions only where no profile gives the
    /// action without one.
    @Test func profilesCombineToTheMostPermissive() throws {
        func rules(_ permissions: JSONValue, _ fields: JSONValue = [:], _ conditions: JSONValue = [:]) throws -> ProfileRules {
            try ProfileRules.parse(permissions: permissions, fields: fields, conditions: conditions, fieldsOf: nil).get()
        }
        let seller = try rules(
            ["deals": ["read": "team", "edit": "own"]], ["deals": ["amount": "hidden", "probability": "read_only"]],
            ["deals": ["edit": ["stage_before": "documents"]]])
        let auditor = try rules(["deals": ["read": "subordinates", "delete": "own"]], ["deals": ["amount": "read_only"]])
        let combined = EffectiveRules(profiles: [seller, auditor])
        #expect(combined.levels("deals", .read) == [.team, .subordinates])
        #expect(combined.levels("deals", .edit) == [.own])
        #expect(combined.levels("deals", .create).isEmpty)
        #expect(combined.widest("deals", .read) == .subordinates)
        // amount: hidden in one, read-only in the other -> read-only; probability: only one has a rule -> none.
        #expect(combined.fields["deals"]?["amount"] == .readOnly)
        #expect(combined.fields["deals"]?["probability"] == nil)
        #expect(combined.conditions["deals"]?[.edit] == [.stageBefore("documents")])
        let freeEditor = try rules(["deals": ["edit": "own"]])
        #expect(EffectiveRules(profiles: [seller, freeEditor]).conditions["deals"]?[.edit] == nil)
        // The checks of a profile body name every problem at once.
        let known: (String) -> Set<String>? = { $0 == "deals" ? ["amount", "stage"] : nil }
        let refused = ProfileRules.parse(
            permissions: ["deals": ["read": "everyone", "fly": "all"], "ghosts": ["read": "all"]], fields: ["deals": ["nope": "hidden"]],
            conditions: ["deals": ["read": ["stage_in": ["won"]]]], fieldsOf: known)
        guard case .failure(.validation(let issues)) = refused else {
            Issue.record("an invalid profile was accepted")
            return
        }
        #expect(
            Set(issues.map(\.field)) == [
                "permissions.deals.read", "permissions.deals.fly", "permissions.ghosts", "fields.deals.nope", "conditions.deals.read",
            ])
    }
}
