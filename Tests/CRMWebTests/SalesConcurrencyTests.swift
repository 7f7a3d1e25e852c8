import CRMCore
import CRMServices
import CRMStorage
import Foundation
import HummingbirdTesting
import Testing

/// Races the sales rules must win on both backends: one conversion per lead, one open stage
/// stay per deal, and no merge across workspaces.
struct SalesConcurrencyTests {
    @Test(arguments: Backend.allCases)
    func aLeadConvertsOnceWhenRequestsRace(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let lead = try await services.records.create(
                ["first_name": "Анна", "last_name": "Смирнова", "company_name": "ООО «Вектор»", "status": "qualified"], entity: "leads",
                scope: scope)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await services.conversion.convert(
                                id: lead.id, body: ["contact": true, "company": true, "deal": true], scope: scope)
                            return "converted"
                        } catch CRMError.conflict(let code, _) {
                            return code
                        } catch {
                            return "error: \(error)"
                        }
                    }
                }
                var all: [String] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == "converted" }.count == 1)
            #expect(outcomes.filter { $0 == "lead_converted" }.count == 7)
            let contacts = try await services.records.listJSON(
                [("lead_id", lead.id.lowercased), ("count", "true")], entity: "contacts", scope: scope)
            #expect(contacts.total == 1)
            let deals = try await services.records.listJSON(
                [("lead_id", lead.id.lowercased), ("count", "true")], entity: "deals", scope: scope)
            #expect(deals.total == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func racingStageMovesLeaveOneOpenStay(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let deal = try await services.records.create(["title": "Race"], entity: "deals", scope: scope)
            let stages = ["qualification", "proposal", "negotiation", "documents", "qualification", "proposal"]
            await withTaskGroup(of: Void.self) { group in
                for stage in stages {
                    group.addTask {
                        _ = try? await services.records.update(
                            ["stage": .string(stage)], id: deal.id, expectedVersion: nil, entity: "deals", scope: scope)
                    }
                }
            }
            let final = try await services.records.get(id: deal.id, entity: "deals", scope: scope)
            let stays = try await services.timeline.stages(dealID: deal.id, scope: scope)
            #expect(stays.filter { $0.leftAt == nil }.count == 1)
            #expect(stays.last?.stage == final.values["stage"]?.plainText)
            // Every stay but the open one ends where the next begins.
            for (earlier, later) in zip(stays, stays.dropFirst()) { #expect(earlier.leftAt == later.enteredAt) }
        }
    }

    @Test(arguments: Backend.allCases)
    func aMergeNeverReachesAnotherWorkspace(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let other = try await makeTenant(services)
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let otherScope = AccessScope(workspaceID: other.workspace.id, userID: other.user.id, isAdmin: true)
            let mine = try await services.records.create(
                ["last_name": "Petrov", "phone_mobile": "+79123456789"], entity: "contacts", scope: scope)
            let theirs = try await services.records.create(
                ["last_name": "Петров", "phone_mobile": "89123456789"], entity: "contacts", scope: otherScope)
            await #expect(throws: CRMError.self) {
                _ = try await services.merges.merge(
                    ["survivor_id": .string(mine.id.lowercased), "merged_ids": [.string(theirs.id.lowercased)]], entity: "contacts",
                    scope: scope)
            }
            let untouched = try await services.records.get(id: theirs.id, entity: "contacts", scope: otherScope)
            #expect(untouched.version == 1)
            #expect(try await services.duplicates.duplicates(of: mine.id, entity: "contacts", scope: scope).isEmpty)
        }
    }
}
