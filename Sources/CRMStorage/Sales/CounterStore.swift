import CRMCore
import Foundation

public enum CounterStore {
    /// Activities still to do: planned or in progress.
    static let openStatus: SQLFragment = "status IN ('planned', 'in_progress')"

    /// Counters of one owner. "Today" is the user's calendar day, `[dayStart, dayEnd)`; an
    /// activity's deadline is its due time, or its start for meetings and calls. Only records the
    /// caller may read count (the visibility condition of each entity: decision 0008).
    public static func counters(
        userID: UUID, now: Date, dayStart: Date, dayEnd: Date, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> WorkCounters {
        var counters = WorkCounters(userID: userID)
        let workspace = SQLValue.uuid(scope.workspaceID)
        func visible(_ entity: EntityDefinition, _ table: String) -> SQLFragment {
            RecordQueryCompiler.visibilityCondition(scope: scope, entity: entity, action: .read, table: table).map { " AND " + $0 } ?? ""
        }
        let activityRow = try await connection.first(
            """
            SELECT
              SUM(CASE WHEN COALESCE(due_at, start_at) < \(.timestamp(now)) THEN 1 ELSE 0 END) AS overdue,
              SUM(CASE WHEN COALESCE(due_at, start_at) >= \(.timestamp(now)) AND COALESCE(due_at, start_at) >= \(.timestamp(dayStart))
                AND COALESCE(due_at, start_at) < \(.timestamp(dayEnd)) THEN 1 ELSE 0 END) AS due_today
            FROM activities WHERE workspace_id = \(workspace) AND owner_id = \(.uuid(userID)) AND \(openStatus) AND deleted_at IS NULL\(visible(BuiltinEntities.activity, "activities"))
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
                  AND r.deleted_at IS NULL AND (r.status IS NULL OR r.status NOT IN ('converted', 'junk')) AND \(planned)\(visible(BuiltinEntities.lead, "r"))
                """)?.int("total") ?? 0)
        counters.dealsWithoutActivity = Int(
            try await connection.first(
                """
                SELECT COUNT(*) AS total FROM deals r WHERE r.workspace_id = \(workspace) AND r.owner_id = \(.uuid(userID))
                  AND r.deleted_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.workspace_id = \(workspace) AND s.key = r.stage AND s.kind <> 'open')
                  AND \(planned)\(visible(BuiltinEntities.deal, "r"))
                """)?.int("total") ?? 0)
        return counters
    }
}
