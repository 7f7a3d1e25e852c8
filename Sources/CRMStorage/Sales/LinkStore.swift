import CRMCore
import Foundation

public enum LinkStore {
    /// Adds a link, or updates role/title/primary of the existing one. Returns the stored link.
    @discardableResult
    public static func upsert(_ link: RecordLink, scope: AccessScope, on connection: any DatabaseConnection) async throws -> RecordLink {
        if link.isPrimary {
            try await connection.execute(
                "UPDATE record_links SET is_primary = \(.bool(false)) WHERE workspace_id = \(.uuid(scope.workspaceID)) AND kind = \(.text(link.kind)) AND from_id = \(.uuid(link.fromID))"
            )
        }
        var sql = insert(link, scope: scope)
        sql.append(
            """
             ON CONFLICT (workspace_id, kind, from_id, to_id) DO UPDATE SET role = excluded.role, title = excluded.title,
              is_primary = excluded.is_primary RETURNING *
            """)
        let row = try await connection.first(sql)
        return row.map(decode) ?? link
    }

    public static func remove(kind: String, fromID: UUID, toID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Bool
    {
        try await !connection.query(
            "DELETE FROM record_links WHERE workspace_id = \(.uuid(scope.workspaceID)) AND kind = \(.text(kind)) AND from_id = \(.uuid(fromID)) AND to_id = \(.uuid(toID)) RETURNING id"
        ).isEmpty
    }

    public static func from(kind: String, fromID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> [RecordLink]
    {
        try await connection.query(
            "SELECT * FROM record_links WHERE workspace_id = \(.uuid(scope.workspaceID)) AND kind = \(.text(kind)) AND from_id = \(.uuid(fromID)) ORDER BY is_primary DESC, created_at, id"
        ).map(decode)
    }

    public static func to(kind: String, toID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> [RecordLink]
    {
        try await connection.query(
            "SELECT * FROM record_links WHERE workspace_id = \(.uuid(scope.workspaceID)) AND kind = \(.text(kind)) AND to_id = \(.uuid(toID)) ORDER BY created_at, id"
        ).map(decode)
    }

    /// Every link touching a record, either side (merges move them).
    public static func touching(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [RecordLink] {
        try await connection.query(
            "SELECT * FROM record_links WHERE workspace_id = \(.uuid(scope.workspaceID)) AND (from_id = \(.uuid(id)) OR to_id = \(.uuid(id)))"
        ).map(decode)
    }

    public static func delete(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute("DELETE FROM record_links WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
    }

    /// Puts back a link exactly as it was (undoing a merge); an equal link already there wins.
    public static func insertExact(_ link: RecordLink, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        var sql = insert(link, scope: scope)
        sql.append(" ON CONFLICT (workspace_id, kind, from_id, to_id) DO NOTHING")
        try await connection.execute(sql)
    }

    static func insert(_ link: RecordLink, scope: AccessScope) -> SQLFragment {
        """
        INSERT INTO record_links (workspace_id, id, kind, from_id, to_entity, to_id, role, title, is_primary, created_at, created_by)
        VALUES (\(.uuid(scope.workspaceID)), \(.uuid(link.id)), \(.text(link.kind)), \(.uuid(link.fromID)), \(.text(link.toEntity)),
          \(.uuid(link.toID)), \(.optional(link.role)), \(.optional(link.title)), \(.bool(link.isPrimary)), \(.timestamp(link.createdAt)),
          \(.optional(link.createdBy)))
        """
    }

    static func decode(_ row: SQLRow) -> RecordLink {
        RecordLink(
            id: row.uuid("id") ?? UUID(), kind: row.string("kind") ?? "", fromID: row.uuid("from_id") ?? UUID(),
            toEntity: row.string("to_entity") ?? "", toID: row.uuid("to_id") ?? UUID(), role: row.string("role"),
            title: row.string("title"), isPrimary: row.bool("is_primary") ?? false, createdAt: row.date("created_at") ?? Date(),
            createdBy: row.uuid("created_by"))
    }
}
