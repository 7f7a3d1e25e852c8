import CRMCore
import Foundation

/// Custom field definitions per workspace and entity, stored as JSON documents.
public enum CustomFieldStore {
    public static func all(scope: AccessScope, on connection: any DatabaseConnection) async throws -> [String: [FieldDefinition]] {
        let rows = try await connection.query(
            "SELECT entity, definition FROM custom_fields WHERE workspace_id = \(.uuid(scope.workspaceID)) ORDER BY position, name")
        var result: [String: [FieldDefinition]] = [:]
        let decoder = JSONDecoder()
        for row in rows {
            // A definition whose name is not a custom name (written around the API, or damaged)
            // is left out: its name would be written into SQL.
            guard let entity = row.string("entity"), let text = row.string("definition"),
                let field = try? decoder.decode(FieldDefinition.self, from: Data(text.utf8)),
                field.isCustom, FieldDefinition.isValidCustomName(field.name)
            else { continue }
            result[entity, default: []].append(field)
        }
        return result
    }

    public static func insert(_ field: FieldDefinition, entity: String, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        let now = Timestamps.now()
        try await connection.execute(
            """
            INSERT INTO custom_fields (workspace_id, entity, name, definition, position, created_at, updated_at)
            VALUES (\(.uuid(scope.workspaceID)), \(.text(entity)), \(.text(field.name)), \(.json(try encode(field))),
            (SELECT COUNT(*) FROM custom_fields WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity))),
            \(.timestamp(now)), \(.timestamp(now)))
            """)
    }

    public static func update(_ field: FieldDefinition, entity: String, scope: AccessScope, on connection: any DatabaseConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE custom_fields SET definition = \(.json(try encode(field))), updated_at = \(.timestamp(Timestamps.now()))
            WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND name = \(.text(field.name))
            """)
    }

    public static func delete(name: String, entity: String, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        try await connection.execute(
            "DELETE FROM custom_fields WHERE workspace_id = \(.uuid(scope.workspaceID)) AND entity = \(.text(entity)) AND name = \(.text(name))"
        )
    }

    static func encode(_ field: FieldDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(field), as: UTF8.self)
    }
}
