import CRMCore
import Foundation

public enum SavedViewStore {
    /// The views of an entity a user sees: their own and those shared, by name.
    public static func list(entity: String, userID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws
        -> [SavedView]
    {
        try await connection.query(
            "SELECT * FROM saved_views WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND entity = \(.text(entity)) AND (user_id = \(.uuid(userID)) OR shared = \(.bool(true))) ORDER BY name, id"
        ).map(decode)
    }

    public static func find(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> SavedView? {
        try await connection.first(
            "SELECT * FROM saved_views WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND id = \(.uuid(id))"
        )
        .map(decode)
    }

    public static func insert(_ view: SavedView, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "INSERT INTO saved_views (workspace_id, id, user_id, entity, name, query, shared, created_at) VALUES (\(.uuid(scope.workspaceID)), \(.uuid(view.id)), \(.uuid(view.userID)), \(.text(view.entity)), \(.text(view.name)), \(.text(view.query)), \(.bool(view.shared)), \(.timestamp(view.createdAt)))"
        )
    }

    public static func delete(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "DELETE FROM saved_views WHERE \(RecordQueryCompiler.tenantCondition(scope: scope)) AND id = \(.uuid(id))")
    }

    static func decode(_ row: SQLRow) -> SavedView {
        SavedView(
            id: row.uuid("id") ?? UUID(), userID: row.uuid("user_id") ?? UUID(), entity: row.string("entity") ?? "",
            name: row.string("name") ?? "", query: row.string("query") ?? "", shared: row.bool("shared") ?? false,
            createdAt: row.date("created_at") ?? Date())
    }
}
