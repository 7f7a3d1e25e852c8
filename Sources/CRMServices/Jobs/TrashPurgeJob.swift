import CRMCore
import CRMStorage
import Foundation

/// Removes for good what has been in a workspace's trash for longer than `retention`, with the
/// links, follows and stage stays of those records.
public struct TrashPurgeJob: Sendable {
    public static let kind = "trash.purge"
    public static let retention: TimeInterval = 30 * 86_400

    let database: any Database

    public init(database: any Database) { self.database = database }

    @discardableResult
    public func run(workspaceID: UUID, now: Date) async throws -> Int {
        let scope = AccessScope.system(workspaceID)
        let cutoff = now.addingTimeInterval(-Self.retention)
        return try await database.write(workspace: workspaceID) { connection in
            var purged = 0
            for entity in BuiltinEntities.all {
                let ids = try await RecordStore.purge(entity: entity, scope: scope, before: cutoff, on: connection)
                try await RecordLeftovers.remove(entity: entity.pluralName, ids: ids, scope: scope, on: connection)
                for id in ids {
                    try await AuditStore.append(
                        entity: entity.pluralName, recordID: id, action: "purge", title: nil, changes: .object(JSONObject()), at: now,
                        scope: scope, on: connection)
                }
                purged += ids.count
            }
            return purged
        }
    }
}
