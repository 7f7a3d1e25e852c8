import CRMCore
import Foundation

public enum MergeStore {
    public static func insert(_ merge: MergeEntry, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO merges (workspace_id, id, entity, survivor_id, merged_ids, survivor_before, moved, created_at, created_by)
            VALUES (\(.uuid(scope.workspaceID)), \(.uuid(merge.id)), \(.text(merge.entity)), \(.uuid(merge.survivorID)),
              \(.json(JSONValue.array(merge.mergedIDs.map { .string($0.lowercased) }).serializedString())),
              \(.json(merge.survivor.serializedString())), \(.json(merge.moved.serializedString())), \(.timestamp(merge.createdAt)),
              \(.optional(merge.createdBy)))
            """)
    }

    public static func find(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> MergeEntry? {
        try await connection.first("SELECT * FROM merges WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
            .map(decode)
    }

    /// The merge (not undone) that sent `mergedID` to the trash, if any.
    public static func active(mergedID: UUID, entity: String, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> MergeEntry?
    {
        let contains: SQLFragment =
            connection.dialect == .postgres
            ? "merged_ids ? \(.text(mergedID.lowercased))"
            : "EXISTS (SELECT 1 FROM json_each(merged_ids) WHERE value = \(.text(mergedID.lowercased)))"
        return try await connection.first(
            "SELECT * FROM merges WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND undone_at IS NULL AND \(contains) ORDER BY created_at DESC"
        ).map(decode)
    }

    public static func markUndone(id: UUID, at date: Date, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "UPDATE merges SET undone_at = \(.timestamp(date)) WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
    }

    static func decode(_ row: SQLRow) -> MergeEntry {
        let ids = row.string("merged_ids").flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap {
            $0.stringValue.flatMap(UUID.parse)
        }
        return MergeEntry(
            id: row.uuid("id") ?? UUID(), entity: row.string("entity") ?? "", survivorID: row.uuid("survivor_id") ?? UUID(),
            mergedIDs: ids ?? [], survivor: row.string("survivor_before").flatMap { try? JSONValue.parse($0) } ?? .null,
            moved: row.string("moved").flatMap { try? JSONValue.parse($0) } ?? .null, createdAt: row.date("created_at") ?? Date(),
            createdBy: row.uuid("created_by"), undoneAt: row.date("undone_at"))
    }
}
