import CRMCore
import Foundation

/// The audit log: append-only, written in the same transaction as the change it describes.
public enum AuditStore {
    public static func append(
        entity: String, recordID: UUID, action: String, title: String?, changes: JSONValue, at: Date, scope: AccessScope,
        on connection: any DatabaseConnection
    ) async throws {
        try await append(
            [Entry(recordID: recordID, title: title, changes: changes)], entity: entity, action: action, at: at, scope: scope,
            on: connection)
    }

    /// What one record's entry says.
    public struct Entry: Sendable {
        public var recordID: UUID
        public var title: String?
        public var changes: JSONValue

        public init(recordID: UUID, title: String?, changes: JSONValue) {
            self.recordID = recordID
            self.title = title
            self.changes = changes
        }
    }

    /// Entries of one action on many records, a few thousand per statement.
    public static func append(
        _ entries: [Entry], entity: String, action: String, at: Date, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        for start in stride(from: 0, to: entries.count, by: 2_000) {
            var sql: SQLFragment =
                "INSERT INTO audit_log (workspace_id, id, entity, record_id, action, actor_id, at, title, changes) VALUES "
            sql.append(
                SQLFragment.joined(
                    entries[start..<min(entries.count, start + 2_000)].map { entry in
                        """
                        (\(.uuid(scope.workspaceID)), \(.uuid(UUIDv7.make(at: at))), \(.text(entity)), \(.uuid(entry.recordID)), \(.text(action)),
                        \(.optional(scope.userID)), \(.timestamp(at)), \(.optional(entry.title)), \(.json(entry.changes.serializedString())))
                        """
                    }, separator: ", "))
            try await connection.execute(sql)
        }
    }

    /// Newest first; `before` pages by entry id (ids are time-ordered).
    /// `visible` (`RecordQueryCompiler.recordRowsVisibility` over `audit_log.entity` and
    /// `audit_log.record_id`) keeps to the history of records the caller may read.
    public static func list(_ filter: AuditFilter, scope: AccessScope, visible: SQLFragment?, on connection: any DatabaseConnection)
        async throws -> [AuditEntry]
    {
        var conditions: [SQLFragment] = ["workspace_id = \(.uuid(scope.workspaceID))"]
        if let visible { conditions.append(visible) }
        if let entity = filter.entity { conditions.append("entity = \(.text(entity))") }
        if let recordID = filter.recordID {
            // A merge survivor also shows the history of the records merged into it.
            conditions.append("(record_id = \(.uuid(recordID)) OR merged_into = \(.uuid(recordID)))")
        }
        if let actorID = filter.actorID { conditions.append("actor_id = \(.uuid(actorID))") }
        if let action = filter.action { conditions.append("action = \(.text(action))") }
        if let from = filter.from { conditions.append("at >= \(.timestamp(from))") }
        if let to = filter.to { conditions.append("at < \(.timestamp(to))") }
        if let before = filter.before { conditions.append("id < \(.uuid(before))") }
        var sql: SQLFragment = "SELECT * FROM audit_log WHERE "
        sql.append(SQLFragment.joined(conditions, separator: " AND "))
        sql.append(raw: " ORDER BY id DESC LIMIT \(filter.limit)")
        return try await connection.query(sql).map(decode)
    }
}

extension AuditStore {
    /// Shows the history of merged records under the survivor (`nil` moves it back).
    public static func setMergedInto(
        _ survivorID: UUID?, entity: String, recordIDs: [UUID], scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        guard !recordIDs.isEmpty else { return }
        var sql: SQLFragment =
            "UPDATE audit_log SET merged_into = \(.optional(survivorID)) WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id IN ("
        sql.append(SQLFragment.joined(recordIDs.map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        try await connection.execute(sql)
    }
}

extension AuditStore {
    /// History of several records (a timeline), newest first, merged records' entries included.
    public static func entries(
        recordIDs: [UUID], before: UUID?, limit: Int, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [AuditEntry] {
        guard !recordIDs.isEmpty else { return [] }
        let list = SQLFragment.joined(recordIDs.map { "\(.uuid($0))" }, separator: ", ")
        var sql: SQLFragment = "SELECT * FROM audit_log WHERE workspace_id = \(.uuid(scope.workspaceID)) AND (record_id IN ("
        sql.append(list)
        sql.append(") OR merged_into IN (")
        sql.append(list)
        sql.append("))")
        if let before { sql.append(" AND id < \(.uuid(before))") }
        sql.append(" ORDER BY id DESC LIMIT \(raw: String(limit))")
        return try await connection.query(sql).map(decode)
    }

    static func decode(_ row: SQLRow) -> AuditEntry {
        AuditEntry(
            id: row.uuid("id") ?? UUID(), entity: row.string("entity") ?? "", recordID: row.uuid("record_id") ?? UUID(),
            action: row.string("action") ?? "", actorID: row.uuid("actor_id"), at: row.date("at") ?? Date(),
            title: row.string("title"), changes: (try? JSONValue.parse(row.string("changes") ?? "{}")) ?? .object(JSONObject()))
    }
}
