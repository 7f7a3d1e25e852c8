import CRMCore
import Foundation

/// Pipelines and their stages, and the deals' stage history.
public enum PipelineStore {
    public static func all(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [Pipeline] {
        let pipelineRows = try await connection.query(
            "SELECT * FROM pipelines WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY position, created_at")
        let stageRows = try await connection.query(
            "SELECT * FROM pipeline_stages WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY position")
        var stages: [UUID: [PipelineStage]] = [:]
        for row in stageRows {
            guard let pipelineID = row.uuid("pipeline_id"), let id = row.uuid("id") else { continue }
            stages[pipelineID, default: []].append(
                PipelineStage(
                    id: id, key: row.string("key") ?? "", name: localized(row.string("name")), position: Int(row.int("position") ?? 0),
                    probability: row.int("probability") ?? 0, kind: PipelineStage.Kind(rawValue: row.string("kind") ?? "") ?? .open))
        }
        return pipelineRows.compactMap { row in
            guard let id = row.uuid("id") else { return nil }
            return Pipeline(
                id: id, name: localized(row.string("name")), position: Int(row.int("position") ?? 0),
                isDefault: row.bool("is_default") ?? false, stages: stages[id] ?? [])
        }
    }

    /// Creates the default pipeline unless the workspace has one; safe when instances race
    /// (the unique index on the default flag and on stage keys turns the loser into a no-op).
    public static func ensureDefault(scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let existing = try await connection.first(
            "SELECT id FROM pipelines WHERE workspace_id = \(.uuid(scope.workspaceID)) AND is_default = \(.bool(true))")
        guard existing == nil else { return }
        let now = Timestamps.now()
        let pipeline = Pipeline(
            id: UUIDv7.make(at: now), name: Pipeline.defaultName, position: 0, isDefault: true, stages: Pipeline.defaultStages(at: now))
        let inserted = try await connection.query(
            """
            INSERT INTO pipelines (workspace_id, id, name, position, is_default, created_at, updated_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.uuid(pipeline.id)), \(.json(pipeline.name.json.serializedString())), 0, \(.bool(true)),
              \(.timestamp(now)), \(.timestamp(now)))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        guard !inserted.isEmpty else { return }
        try await insertStages(pipeline.stages, pipelineID: pipeline.id, scope: scope, on: connection)
        // Deals written before pipelines existed belong to the default one.
        try await connection.execute(
            "UPDATE deals SET pipeline_id = \(.uuid(pipeline.id)) WHERE workspace_id = \(.uuid(scope.workspaceID)) AND pipeline_id IS NULL")
    }

    public static func insert(_ pipeline: Pipeline, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        let now = Timestamps.now()
        try await connection.execute(
            """
            INSERT INTO pipelines (workspace_id, id, name, position, is_default, created_at, updated_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.uuid(pipeline.id)), \(.json(pipeline.name.json.serializedString())),
              \(.int(Int64(pipeline.position))), \(.bool(pipeline.isDefault)), \(.timestamp(now)), \(.timestamp(now)))
            """)
        try await insertStages(pipeline.stages, pipelineID: pipeline.id, scope: scope, on: connection)
    }

    /// Replaces a pipeline's name and stages (stages keep their ids by key).
    public static func replace(_ pipeline: Pipeline, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            """
            UPDATE pipelines SET name = \(.json(pipeline.name.json.serializedString())), position = \(.int(Int64(pipeline.position))),
              updated_at = \(.timestamp(Timestamps.now()))
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(pipeline.id))
            """)
        try await connection.execute(
            "DELETE FROM pipeline_stages WHERE workspace_id = \(.uuid(scope.workspaceID)) AND pipeline_id = \(.uuid(pipeline.id))")
        try await insertStages(pipeline.stages, pipelineID: pipeline.id, scope: scope, on: connection)
    }

    public static func delete(id: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "DELETE FROM pipeline_stages WHERE workspace_id = \(.uuid(scope.workspaceID)) AND pipeline_id = \(.uuid(id))")
        try await connection.execute("DELETE FROM pipelines WHERE workspace_id = \(.uuid(scope.workspaceID)) AND id = \(.uuid(id))")
    }

    /// Deals per stage key of a pipeline, those in the trash included (they may come back), to
    /// refuse removing stages or pipelines that are in use.
    public static func dealCounts(pipelineID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [String: Int]
    {
        let rows = try await connection.query(
            """
            SELECT stage, COUNT(*) AS total FROM deals WHERE \(RecordQueryCompiler.tenantCondition(scope: scope))
              AND pipeline_id = \(.uuid(pipelineID)) GROUP BY stage
            """)
        var counts: [String: Int] = [:]
        for row in rows { counts[row.string("stage") ?? ""] = Int(row.int("total") ?? 0) }
        return counts
    }

    /// Whether a stage key is taken by a stage of another pipeline.
    public static func keyTaken(_ key: String, outside pipelineID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> Bool
    {
        try await connection.first(
            "SELECT 1 AS found FROM pipeline_stages WHERE workspace_id = \(.uuid(scope.workspaceID)) AND key = \(.text(key)) AND pipeline_id <> \(.uuid(pipelineID))"
        ) != nil
    }

    static func insertStages(_ stages: [PipelineStage], pipelineID: UUID, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        for stage in stages {
            try await connection.execute(
                """
                INSERT INTO pipeline_stages (workspace_id, id, pipeline_id, key, name, position, probability, kind)
                VALUES (\(.uuid(scope.workspaceID)), \(.uuid(stage.id)), \(.uuid(pipelineID)), \(.text(stage.key)),
                  \(.json(stage.name.json.serializedString())), \(.int(Int64(stage.position))), \(.int(stage.probability)),
                  \(.text(stage.kind.rawValue)))
                """)
        }
    }

    static func localized(_ text: String?) -> LocalizedText {
        guard let text, let json = try? JSONValue.parse(text), let value = LocalizedText.parse(json, maxLength: 10_000) else {
            return LocalizedText(en: text ?? "")
        }
        return value
    }
}

public enum StageHistoryStore {
    /// Closes the deal's open stay and opens one in the new stage.
    public static func enter(
        dealID: UUID, pipelineID: UUID, stage: String, at date: Date, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        try await connection.execute(
            """
            UPDATE deal_stage_history SET left_at = \(.timestamp(date))
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND deal_id = \(.uuid(dealID)) AND left_at IS NULL
            """)
        try await connection.execute(
            """
            INSERT INTO deal_stage_history (workspace_id, id, deal_id, pipeline_id, stage, entered_at, entered_by)
            VALUES (\(.uuid(scope.workspaceID)), \(.uuid(UUIDv7.make(at: date))), \(.uuid(dealID)), \(.uuid(pipelineID)),
              \(.text(stage)), \(.timestamp(date)), \(.optional(scope.userID)))
            """)
    }

    public static func stays(dealIDs: [UUID], scope: AccessScope, on connection: any DatabaseConnection) async throws -> [StageStay] {
        guard !dealIDs.isEmpty else { return [] }
        var sql: SQLFragment = "SELECT * FROM deal_stage_history WHERE workspace_id = \(.uuid(scope.workspaceID)) AND deal_id IN ("
        sql.append(SQLFragment.joined(dealIDs.map { "\(.uuid($0))" }, separator: ", "))
        sql.append(") ORDER BY entered_at, id")
        return try await connection.query(sql).map(decode)
    }

    /// Every stay of the deals of one pipeline (the funnel reads them in one go).
    public static func stays(pipelineID: UUID, scope: AccessScope, on connection: any DatabaseConnection) async throws -> [StageStay] {
        try await connection.query(
            "SELECT * FROM deal_stage_history WHERE workspace_id = \(.uuid(scope.workspaceID)) AND pipeline_id = \(.uuid(pipelineID)) ORDER BY entered_at, id"
        ).map(decode)
    }

    /// Stays of several deals, newest first (a timeline page).
    public static func page(dealIDs: [UUID], before: UUID?, limit: Int, scope: AccessScope, on connection: any DatabaseConnection)
        async throws -> [StageStay]
    {
        guard !dealIDs.isEmpty else { return [] }
        var sql: SQLFragment = "SELECT * FROM deal_stage_history WHERE workspace_id = \(.uuid(scope.workspaceID)) AND deal_id IN ("
        sql.append(SQLFragment.joined(dealIDs.map { "\(.uuid($0))" }, separator: ", "))
        sql.append(")")
        if let before { sql.append(" AND id < \(.uuid(before))") }
        sql.append(" ORDER BY id DESC LIMIT \(raw: String(limit))")
        return try await connection.query(sql).map(decode)
    }

    static func decode(_ row: SQLRow) -> StageStay {
        StageStay(
            id: row.uuid("id") ?? UUID(), dealID: row.uuid("deal_id") ?? UUID(), pipelineID: row.uuid("pipeline_id") ?? UUID(),
            stage: row.string("stage") ?? "", enteredAt: row.date("entered_at") ?? Date(timeIntervalSince1970: 0),
            leftAt: row.date("left_at"), enteredBy: row.uuid("entered_by"))
    }
}
