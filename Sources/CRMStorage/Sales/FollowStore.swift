import CRMCore
import Foundation

/// Who follows which record, and the notifications they get.
public enum FollowStore {
    public static func follow(entity: String, recordID: UUID, userID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await connection.execute(
            """
            INSERT INTO follows (workspace_id, entity, record_id, user_id, created_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.text(entity)), \(.uuid(recordID)), \(.uuid(userID)), \(.timestamp(Timestamps.now())))
            ON CONFLICT DO NOTHING
            """)
    }

    public static func unfollow(entity: String, recordID: UUID, userID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Bool
    {
        try await !connection.query(
            "DELETE FROM follows WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id = \(.uuid(recordID)) AND user_id = \(.uuid(userID)) RETURNING user_id"
        ).isEmpty
    }

    public static func followers(entity: String, recordID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> [UUID]
    {
        try await connection.query(
            "SELECT user_id FROM follows WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id = \(.uuid(recordID)) ORDER BY created_at"
        ).compactMap { $0.uuid("user_id") }
    }

    /// Moves follows from merged records to the survivor (duplicates collapse).
    public static func move(entity: String, from oldID: UUID, to newID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await connection.execute(
            """
            INSERT INTO follows (workspace_id, entity, record_id, user_id, created_at)
            SELECT workspace_id, entity, \(.uuid(newID)), user_id, created_at FROM follows
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND record_id = \(.uuid(oldID))
            ON CONFLICT DO NOTHING
            """)
    }
}

public enum NotificationStore {
    public static func add(
        userIDs: [UUID], kind: String, entity: String, recordID: UUID, title: String, details: JSONValue, at date: Date,
        scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        for userID in userIDs {
            try await connection.execute(
                """
                INSERT INTO notifications (workspace_id, id, user_id, kind, entity, record_id, title, details, actor_id, created_at)
                VALUES (\(.uuid(scope.workspaceID)), \(.uuid(UUIDv7.make(at: date))), \(.uuid(userID)), \(.text(kind)), \(.text(entity)),
                  \(.uuid(recordID)), \(.text(title)), \(.json(details.serializedString())), \(.optional(scope.userID)), \(.timestamp(date)))
                """)
        }
    }

    /// Newest first; `before` is the id of the last entry of the previous page. `visible`
    /// (`RecordQueryCompiler.recordRowsVisibility` over `notifications.entity` and
    /// `notifications.record_id`) keeps to records the reader may still read.
    public static func list(
        userID: UUID, unreadOnly: Bool, before: UUID?, limit: Int, visible: SQLFragment? = nil, scope: AccessScope,
        on connection: any DatabaseConnection
    ) async throws -> [NotificationEntry] {
        var sql: SQLFragment = "SELECT * FROM notifications WHERE workspace_id = \(.uuid(scope.workspaceID)) AND user_id = \(.uuid(userID))"
        if let visible { sql.append(" AND " + visible) }
        if unreadOnly { sql.append(" AND read_at IS NULL") }
        if let before { sql.append(" AND id < \(.uuid(before))") }
        sql.append(" ORDER BY id DESC LIMIT \(raw: String(limit))")
        return try await connection.query(sql).map(decode)
    }

    public static func unreadCount(
        userID: UUID, visible: SQLFragment? = nil, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> Int {
        var sql: SQLFragment =
            "SELECT COUNT(*) AS total FROM notifications WHERE workspace_id = \(.uuid(scope.workspaceID)) AND user_id = \(.uuid(userID)) AND read_at IS NULL"
        if let visible { sql.append(" AND " + visible) }
        return Int(try await connection.first(sql)?.int("total") ?? 0)
    }

    /// Marks one (or, with nil, every) notification of the user read; returns how many changed.
    public static func markRead(id: UUID?, read: Bool, userID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Int
    {
        var sql: SQLFragment =
            "UPDATE notifications SET read_at = \(read ? SQLValue.timestamp(Timestamps.now()) : .null) WHERE workspace_id = \(.uuid(scope.workspaceID)) AND user_id = \(.uuid(userID))"
        if let id { sql.append(" AND id = \(.uuid(id))") } else { sql.append(" AND read_at IS NULL") }
        sql.append(" RETURNING id")
        return try await connection.query(sql).count
    }

    static func decode(_ row: SQLRow) -> NotificationEntry {
        NotificationEntry(
            id: row.uuid("id") ?? UUID(), userID: row.uuid("user_id") ?? UUID(), kind: row.string("kind") ?? "",
            entity: row.string("entity") ?? "", recordID: row.uuid("record_id") ?? UUID(), title: row.string("title") ?? "",
            details: row.string("details").flatMap { try? JSONValue.parse($0) } ?? .object(JSONObject()), actorID: row.uuid("actor_id"),
            createdAt: row.date("created_at") ?? Date(), readAt: row.date("read_at"))
    }
}
