import CRMCore
import Foundation

/// The work a salesperson has waiting, counted per owner.
public struct WorkCounters: Sendable, Hashable {
    public var userID: UUID
    public var overdue = 0
    public var dueToday = 0
    public var leadsWithoutActivity = 0
    public var dealsWithoutActivity = 0

    public init(userID: UUID) { self.userID = userID }

    public var json: JSONValue {
        [
            "user_id": .string(userID.lowercased), "overdue": .int(Int64(overdue)), "due_today": .int(Int64(dueToday)),
            "leads_without_activity": .int(Int64(leadsWithoutActivity)), "deals_without_activity": .int(Int64(dealsWithoutActivity)),
            "total": .int(Int64(overdue + dueToday + leadsWithoutActivity + dealsWithoutActivity)),
        ]
    }
}

public enum CounterStore {
    /// Activities still to do: planned or in progress.
    static let openStatus: SQLFragment = "status IN ('planned', 'in_progress')"

    /// Counters of one owner. "Today" is the user's calendar day, `[dayStart, dayEnd)`; an
    /// activity's deadline is its due time, or its start for meetings and calls.
    public static func counters(
        userID: UUID, now: Date, dayStart: Date, dayEnd: Date, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> WorkCounters {
        var counters = WorkCounters(userID: userID)
        let workspace = SQLValue.uuid(scope.workspaceID)
        let activityRow = try await connection.first(
            """
            SELECT
              SUM(CASE WHEN COALESCE(due_at, start_at) < \(.timestamp(now)) THEN 1 ELSE 0 END) AS overdue,
              SUM(CASE WHEN COALESCE(due_at, start_at) >= \(.timestamp(now)) AND COALESCE(due_at, start_at) >= \(.timestamp(dayStart))
                AND COALESCE(due_at, start_at) < \(.timestamp(dayEnd)) THEN 1 ELSE 0 END) AS due_today
            FROM activities WHERE workspace_id = \(workspace) AND owner_id = \(.uuid(userID)) AND \(openStatus) AND deleted_at IS NULL
            """)
        counters.overdue = Int(activityRow?.int("overdue") ?? 0)
        counters.dueToday = Int(activityRow?.int("due_today") ?? 0)
        let planned: SQLFragment = """
            NOT EXISTS (SELECT 1 FROM activities a WHERE a.workspace_id = \(workspace) AND a.parent_id = r.id
              AND a.status IN ('planned', 'in_progress') AND a.deleted_at IS NULL)
            """
        counters.leadsWithoutActivity = Int(
            try await connection.first(
                """
                SELECT COUNT(*) AS total FROM leads r WHERE r.workspace_id = \(workspace) AND r.owner_id = \(.uuid(userID))
                  AND r.deleted_at IS NULL AND (r.status IS NULL OR r.status NOT IN ('converted', 'junk')) AND \(planned)
                """)?.int("total") ?? 0)
        counters.dealsWithoutActivity = Int(
            try await connection.first(
                """
                SELECT COUNT(*) AS total FROM deals r WHERE r.workspace_id = \(workspace) AND r.owner_id = \(.uuid(userID))
                  AND r.deleted_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.workspace_id = \(workspace) AND s.key = r.stage AND s.kind <> 'open')
                  AND \(planned)
                """)?.int("total") ?? 0)
        return counters
    }
}

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
