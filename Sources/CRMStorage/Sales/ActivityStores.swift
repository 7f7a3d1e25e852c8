import CRMCore
import Foundation

/// Repeating activities: the series that may need more occurrences.
public enum SeriesStore {
    /// Ids of series masters (the first occurrence, which keeps the rule).
    public static func masters(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [UUID] {
        try await connection.query(
            "SELECT id FROM activities WHERE workspace_id = \(.uuid(scope.workspaceID)) AND series_id = id AND \(raw: "\"repeat\"") IS NOT NULL AND deleted_at IS NULL"
        ).compactMap { $0.uuid("id") }
    }

    /// How many occurrences a series has (trashed ones too) and the id of the latest.
    public static func state(seriesID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> (
        count: Int, last: UUID?
    ) {
        let total = try await connection.first(
            "SELECT COUNT(*) AS total FROM activities WHERE workspace_id = \(.uuid(scope.workspaceID)) AND series_id = \(.uuid(seriesID))")
        let last = try await connection.first(
            "SELECT id FROM activities WHERE workspace_id = \(.uuid(scope.workspaceID)) AND series_id = \(.uuid(seriesID)) ORDER BY COALESCE(due_at, start_at) DESC, id DESC LIMIT 1"
        )
        return (Int(total?.int("total") ?? 0), last?.uuid("id"))
    }
}

/// Reminders of activities that are due.
public enum ReminderStore {
    public struct Due: Sendable {
        public var id: UUID
        public var ownerID: UUID
        public var subject: String
        public var reminderAt: Date
    }

    /// Marks the open activities whose reminder time has come as reminded and returns them, so
    /// each reminder fires once even with several instances running the job.
    public static func takeDue(now: Date, limit: Int, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [Due] {
        let rows = try await connection.query(
            """
            UPDATE activities SET reminded_at = \(.timestamp(now))
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id IN (
              SELECT id FROM activities WHERE workspace_id = \(.uuid(scope.workspaceID)) AND reminded_at IS NULL
                AND reminder_at IS NOT NULL AND reminder_at <= \(.timestamp(now)) AND deleted_at IS NULL
                AND status IN ('planned', 'in_progress') AND owner_id IS NOT NULL
              ORDER BY reminder_at LIMIT \(raw: String(limit)))
            RETURNING id, owner_id, subject, reminder_at
            """)
        return rows.compactMap { row in
            guard let id = row.uuid("id"), let owner = row.uuid("owner_id") else { return nil }
            return Due(id: id, ownerID: owner, subject: row.string("subject") ?? "", reminderAt: row.date("reminder_at") ?? now)
        }
    }
}
