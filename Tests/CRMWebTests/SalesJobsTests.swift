import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Testing

/// The sales jobs: reminders fire once per reminder time; never-ending series are topped up.
struct SalesJobsTests {
    @Test(arguments: Backend.allCases)
    func aReminderFiresOnceAndAgainWhenMoved(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let now = Timestamps.now()
            let task = try await services.records.create(
                [
                    "type": "task", "subject": "Call back", "due_at": .string(Timestamps.format(now.addingTimeInterval(3600))),
                    "reminder_at": .string(Timestamps.format(now.addingTimeInterval(-60))),
                ], entity: "activities", scope: scope)
            let job = ReminderJob(database: services.database)
            #expect(try await job.run(workspaceID: tenant.workspace.id, now: now) == 1)
            #expect(try await job.run(workspaceID: tenant.workspace.id, now: now) == 0)
            let (entries, unread) = try await services.follows.notifications(unreadOnly: true, before: nil, limit: 10, scope: scope)
            #expect(unread == 1)
            #expect(entries.first?.kind == "reminder" && entries.first?.recordID == task.id)
            _ = try await services.records.update(
                ["reminder_at": .string(Timestamps.format(now.addingTimeInterval(-30)))], id: task.id, expectedVersion: nil,
                entity: "activities", scope: scope)
            #expect(try await job.run(workspaceID: tenant.workspace.id, now: now) == 1)
        }
    }

    @Test(arguments: Backend.allCases)
    func aNeverEndingSeriesIsToppedUp(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let start = Timestamps.now()
            let master = try await services.records.create(
                [
                    "type": "meeting", "subject": "Monthly review", "start_at": .string(Timestamps.format(start)),
                    "repeat": ["frequency": "monthly", "never_ends": true],
                ], entity: "activities", scope: scope)
            let series = [("series_id", master.id.lowercased), ("count", "true")]
            let first = try #require(try await services.records.listJSON(series, entity: "activities", scope: scope).total)
            #expect((12...13).contains(first))
            let job = ActivitySeriesJob(records: services.records)
            // Nothing to add today; two months later the horizon has moved by two occurrences.
            #expect(try await job.run(workspaceID: tenant.workspace.id, now: start) == 0)
            let later = try await job.run(workspaceID: tenant.workspace.id, now: start.addingTimeInterval(62 * 86_400))
            #expect(later == 2)
            #expect(try await services.records.listJSON(series, entity: "activities", scope: scope).total == first + 2)
        }
    }

    /// Instants come back from PostgreSQL a hair off their milliseconds now and then; the job
    /// must still see a series' last occurrence as made, not as new (it once made it twice).
    @Test(arguments: Backend.allCases)
    func toppingUpNeverRepeatsTheLastOccurrence(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let start = Timestamps.now()
            for offset in 0..<24 {
                // Milliseconds that a Double holds inexactly, each its own series.
                let moment = start.addingTimeInterval(Double(offset) * 0.037 + 0.001)
                _ = try await services.records.create(
                    [
                        "type": "task", "subject": .string("Report \(offset)"), "due_at": .string(Timestamps.format(moment)),
                        "repeat": ["frequency": "monthly", "never_ends": true],
                    ], entity: "activities", scope: scope)
            }
            let job = ActivitySeriesJob(records: services.records)
            #expect(try await job.run(workspaceID: tenant.workspace.id, now: start) == 0)
        }
    }
}

struct InstantRoundTripTests {
    /// Sending back the instants a record holds is no change (no new version, no history entry),
    /// whichever milliseconds they have and whichever database kept them.
    @Test(arguments: Backend.allCases)
    func sameInstantsAreNoChange(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let scope = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let start = Timestamps.now()
            for offset in 0..<20 {
                let due = JSONValue.string(Timestamps.format(start.addingTimeInterval(Double(offset) * 0.037 + 0.001)))
                let task = try await services.records.create(
                    ["type": "task", "subject": "Same", "due_at": due], entity: "activities", scope: scope)
                let again = try await services.records.update(
                    ["due_at": due], id: task.id, expectedVersion: 1, entity: "activities", scope: scope)
                #expect(again.version == 1, "\(due)")
            }
        }
    }
}
