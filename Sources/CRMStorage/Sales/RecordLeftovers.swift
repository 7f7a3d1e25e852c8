import CRMCore
import Foundation

/// What belongs to records that are purged for good: their links, follows and stage stays.
public enum RecordLeftovers {
    public static func remove(entity: String, ids: [UUID], scope: AccessScope, on connection: any DatabaseConnection) async throws {
        guard !ids.isEmpty else { return }
        let list = SQLFragment.joined(ids.map { "\(.uuid($0))" }, separator: ", ")
        let workspace = SQLValue.uuid(scope.workspaceID)
        var links: SQLFragment = "DELETE FROM record_links WHERE workspace_id = \(workspace) AND (from_id IN ("
        links.append(list)
        links.append(") OR to_id IN (")
        links.append(list)
        links.append("))")
        try await connection.execute(links)
        var follows: SQLFragment = "DELETE FROM follows WHERE workspace_id = \(workspace) AND entity = \(.text(entity)) AND record_id IN ("
        follows.append(list)
        follows.append(")")
        try await connection.execute(follows)
        var stays: SQLFragment = "DELETE FROM deal_stage_history WHERE workspace_id = \(workspace) AND deal_id IN ("
        stays.append(list)
        stays.append(")")
        try await connection.execute(stays)
    }
}
