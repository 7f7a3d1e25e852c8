import CRMCore
import CRMStorage
import Foundation

/// Keeps repeating tasks and meetings materialised a year ahead: series that go on longer than
/// that (never-ending, or ending later) get their next occurrences. Daily, per workspace.
public struct ActivitySeriesJob: Sendable {
    public static let kind = "activities.extend"
    let records: RecordService

    public init(records: RecordService) { self.records = records }

    @discardableResult
    public func run(workspaceID: UUID, now: Date) async throws -> Int {
        let scope = AccessScope.system(workspaceID)
        let entities = try await records.metadata.entities(scope: scope)
        guard let activities = entities["activities"] else { return 0 }
        let masters = try await records.database.read(workspace: workspaceID) { connection in
            try await SeriesStore.masters(scope: scope, on: connection)
        }
        var created = 0
        for masterID in masters {
            created += try await records.write(scope: scope, now: now) { writer in
                guard
                    let master = try await RecordStore.fetch(
                        id: masterID, entity: activities, scope: scope, access: .tenant, on: writer.connection),
                    case .recurrence(let rule)? = master.values["repeat"]
                else { return 0 }
                let state = try await SeriesStore.state(seriesID: masterID, scope: scope, on: writer.connection)
                guard let lastID = state.last,
                    let last = try await RecordStore.fetch(
                        id: lastID, entity: activities, scope: scope, access: .tenant, includeDeleted: true, on: writer.connection)
                else { return 0 }
                try await ActivitySeries.extend(
                    series: master, last: last, existing: state.count, rule: rule, entity: activities, writer: writer)
                return try await SeriesStore.state(seriesID: masterID, scope: scope, on: writer.connection).count - state.count
            }
        }
        return created
    }
}
