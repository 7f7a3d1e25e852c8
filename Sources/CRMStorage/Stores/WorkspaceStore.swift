import CRMCore
import Foundation

/// The tenant registry.
public enum WorkspaceStore {
    public static let defaultSlug = "default"

    public static func find(slug: String, on connection: any DatabaseConnection) async throws -> Workspace? {
        try await connection.first("SELECT * FROM workspaces WHERE slug = \(.text(slug))").map(decode)
    }

    /// Whether any workspace other than `slug` exists (a deployment set up from the command line).
    public static func othersExist(than slug: String, on connection: any DatabaseConnection) async throws -> Bool {
        try await connection.first("SELECT 1 AS found FROM workspaces WHERE slug <> \(.text(slug)) LIMIT 1") != nil
    }

    public static func create(slug: String, name: String, on connection: any DatabaseConnection) async throws -> Workspace {
        let workspace = Workspace(id: UUIDv7.make(), slug: slug, name: name, createdAt: Timestamps.now())
        try await connection.execute(
            "INSERT INTO workspaces (workspace_id, slug, name, created_at) VALUES (\(.uuid(workspace.id)), \(.text(slug)), \(.text(name)), \(.timestamp(workspace.createdAt)))"
        )
        return workspace
    }

    static func decode(_ row: SQLRow) -> Workspace {
        Workspace(
            id: row.uuid("workspace_id") ?? UUID(), slug: row.string("slug") ?? "", name: row.string("name") ?? "",
            createdAt: row.date("created_at") ?? Date())
    }
}
