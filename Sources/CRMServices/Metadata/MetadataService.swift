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
        if let builtin = entity.field(named: name), !builtin.isCustom, !builtin.isSystem {
            return try await updateOptions(body, field: builtin, entity: entity, scope: scope)
        }
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

    /// Option values the server's own rules rely on: their labels may change, they stay.
    static let protectedOptions: [String: Set<String>] = [
        "lead.status": ["new", "in_progress", "qualified", "junk", "converted"],
        "activity.type": ["task", "call", "meeting"], "activity.status": ["planned", "in_progress", "completed", "cancelled"],
        "activity.parent_type": ["lead", "contact", "company", "deal"], "note.parent_type": ["lead", "contact", "company", "deal"],
        "note.kind": ["note", "comment"], "deal.priority": ["low", "normal", "high"],
    ]

    /// Edits the option list of a built-in choice field (lead sources, statuses, loss reasons, ...):
    /// `{"options": [{"value", "label"}]}`. Records keep values that leave the list.
    func updateOptions(_ body: JSONValue, field: FieldDefinition, entity: EntityDefinition, scope: AccessScope) async throws
        -> FieldDefinition
    {
        guard field.type == .choice || field.type == .multiChoice else {
            throw CRMError.conflict(
                code: "builtin_field", message: "\(entity.name).\(field.name) is built in; only the options of choice fields can change")
        }
        guard case .object(let object) = body, let raw = object["options"], object.count == 1 else {
            throw CRMError.validation([
                ValidationIssue(field: "options", code: "required", message: "a built-in choice field takes only {\"options\": [...]}")
            ])
        }
        var options: [ChoiceOption]
        switch CustomFieldInput.parseOptions(raw) {
        case .success(let parsed): options = parsed
        case .failure(let issue): throw CRMError.validation([issue])
        }
        var issues: [ValidationIssue] = []
        if options.isEmpty { issues.append(ValidationIssue(field: "options", code: "required", message: "options must not be empty")) }
        let missing = (Self.protectedOptions["\(entity.name).\(field.name)"] ?? []).filter { value in
            !options.contains { $0.value == value }
        }
        if !missing.isEmpty {
            issues.append(
                ValidationIssue(
                    field: "options", code: "protected",
                    message: "these options drive built-in rules and must stay: \(missing.sorted().joined(separator: ", "))"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        options = options.map { option in
            var option = option
            if option.label.values.count == 1, option.label.values["en"] == option.value,
                let known = field.options.first(where: { $0.value == option.value })
            {
                option.label = known.label
            }
            return option
        }
        let saved = options
        try await database.write(workspace: scope.workspaceID) { connection in
            try await FieldOptionStore.save(entity: entity.name, field: field.name, options: saved, scope: scope, on: connection)
        }
        invalidate(scope.workspaceID)
        var updated = field
        updated.options = saved
        return updated
    }

    func requireAdmin(_ scope: AccessScope, to action: String = "change fields") throws {
        guard scope.isAdmin else { throw CRMError.forbidden("only administrators can \(action)") }
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
    }
}
