import CRMCore
import Foundation

/// Per-workspace option lists of choice fields (lead sources, statuses, loss reasons, ...).
public enum FieldOptionStore {
    public static func all(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [String: [String: [ChoiceOption]]] {
        var result: [String: [String: [ChoiceOption]]] = [:]
        for row in try await connection.query("SELECT * FROM field_options WHERE workspace_id = \(.uuid(scope.workspaceID))") {
            guard let entity = row.string("entity"), let field = row.string("field"), let text = row.string("options"),
                case .array(let items)? = try? JSONValue.parse(text)
            else { continue }
            result[entity, default: [:]][field] = items.compactMap(ChoiceOption.init(json:))
        }
        return result
    }

    public static func save(
        entity: String, field: String, options: [ChoiceOption], scope: AccessScope, on connection: any DatabaseConnection
    ) async throws {
        let json = JSONValue.array(options.map(\.json)).serializedString()
        try await connection.execute(
            """
            INSERT INTO field_options (workspace_id, entity, field, options, updated_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.text(entity)), \(.text(field)), \(.json(json)), \(.timestamp(Timestamps.now())))
            ON CONFLICT (workspace_id, entity, field) DO UPDATE SET options = excluded.options, updated_at = excluded.updated_at
            """)
    }
}

/// The workspace's settings document (`workspaces.settings`).
public enum WorkspaceSettingsStore {
    public static func load(scope: AccessScope, on connection: any DatabaseConnection) async throws -> JSONObject {
        guard
            let text = try await connection.first("SELECT settings FROM workspaces WHERE workspace_id = \(.uuid(scope.workspaceID))")?
                .string("settings"), case .object(let object)? = try? JSONValue.parse(text)
        else { return JSONObject() }
        return object
    }

    public static func save(_ settings: JSONObject, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "UPDATE workspaces SET settings = \(.json(JSONValue.object(settings).serializedString())) WHERE workspace_id = \(.uuid(scope.workspaceID))"
        )
    }
}
