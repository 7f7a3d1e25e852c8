import CRMCore
import CRMStorage
import Foundation
import Synchronization

/// Entity definitions as a workspace sees them: built-in fields plus its custom fields.
///
/// Custom fields are cached per workspace for a few seconds; this instance drops its cache on
/// its own changes, and other instances see a change within `cacheLifetime`.
public final class MetadataService: Sendable {
    let database: any Database
    let cache = Mutex<[UUID: (loaded: Date, entities: [String: EntityDefinition])]>([:])
    public static let cacheLifetime: TimeInterval = 5

    public init(database: any Database) { self.database = database }

    public func entities(scope: AccessScope) async throws -> [String: EntityDefinition] {
        if let cached = cache.withLock({ $0[scope.workspaceID] }), Date().timeIntervalSince(cached.loaded) < Self.cacheLifetime {
            return cached.entities
        }
        let (custom, options) = try await database.read(workspace: scope.workspaceID) { connection in
            (try await CustomFieldStore.all(scope: scope, on: connection), try await FieldOptionStore.all(scope: scope, on: connection))
        }
        var result: [String: EntityDefinition] = [:]
        for var entity in BuiltinEntities.all {
            for field in custom[entity.name] ?? [] { entity.append(field) }
            for (name, list) in options[entity.name] ?? [:] {
                guard var field = entity.field(named: name), !field.isCustom, field.type == .choice || field.type == .multiChoice
                else { continue }
                field.options = list
                entity.append(field)
            }
            result[entity.pluralName] = entity
        }
        cache.withLock { $0[scope.workspaceID] = (Date(), result) }
        return result
    }

    /// An entity by its API (plural) name, or `unknownEntity`.
    public func entity(_ pluralName: String, scope: AccessScope) async throws -> EntityDefinition {
        guard let entity = try await entities(scope: scope)[pluralName] else { throw CRMError.unknownEntity(pluralName) }
        return entity
    }

    func invalidate(_ workspaceID: UUID) {
        cache.withLock { $0[workspaceID] = nil }
    }

    /// Adds a custom field. The name gets the `c_` prefix so no future built-in field collides.
    public func addField(_ body: JSONValue, entity pluralName: String, scope: AccessScope) async throws -> FieldDefinition {
        try requireAdmin(scope)
        let entity = try await entity(pluralName, scope: scope)
        let field = try CustomFieldInput.parse(body, existing: nil)
        guard entity.field(named: field.name) == nil else {
            throw CRMError.conflict(code: "field_exists", message: "\(entity.name) already has a field \(field.name)")
        }
        guard entity.customFields.count < 200 else {
            throw CRMError.conflict(code: "too_many_fields", message: "an entity can have at most 200 custom fields")
        }
        do {
            try await database.write(workspace: scope.workspaceID) { connection in
                try await CustomFieldStore.insert(field, entity: entity.name, scope: scope, on: connection)
            }
        } catch StorageError.uniqueViolation {
            throw CRMError.conflict(code: "field_exists", message: "\(entity.name) already has a field \(field.name)")
        }
        invalidate(scope.workspaceID)
        return field
    }

    public func updateField(_ body: JSONValue, name: String, entity pluralName: String, scope: AccessScope) async throws
        -> FieldDefinition
    {
        try requireAdmin(scope)
        let entity = try await entity(pluralName, scope: scope)
        guard let existing = entity.field(named: name), existing.isCustom else {
            throw CRMError.notFound("\(entity.name) has no custom field \(name)")
        }
        let field = try CustomFieldInput.parse(body, existing: existing)
        try await database.write(workspace: scope.workspaceID) { connection in
            try await CustomFieldStore.update(field, entity: entity.name, scope: scope, on: connection)
        }
        invalidate(scope.workspaceID)
        return field
    }

    /// Removes a custom field definition. Values stay in the records' documents (unreadable
    /// through the API) so re-adding the field brings them back.
    public func deleteField(name: String, entity pluralName: String, scope: AccessScope) async throws {
        try requireAdmin(scope)
        let entity = try await entity(pluralName, scope: scope)
        guard let existing = entity.field(named: name), existing.isCustom else {
            throw CRMError.notFound("\(entity.name) has no custom field \(name)")
        }
        try await database.write(workspace: scope.workspaceID) { connection in
            try await CustomFieldStore.delete(name: name, entity: entity.name, scope: scope, on: connection)
        }
        invalidate(scope.workspaceID)
    }

    func requireAdmin(_ scope: AccessScope) throws {
        guard scope.isAdmin else { throw CRMError.forbidden("only administrators can change fields") }
    }
}
