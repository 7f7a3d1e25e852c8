import CRMCore
import CRMStorage
import Foundation

/// The one path every record write takes: validate, check access and references, write, record
/// history, keep the search index in step — all in one transaction. Automation hooks attach here.
public struct RecordService: Sendable {
    let database: any Database
    let metadata: MetadataService

    public init(database: any Database, metadata: MetadataService) {
        self.database = database
        self.metadata = metadata
    }

    public func create(_ body: JSONValue, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let entity = try await metadata.entity(pluralName, scope: scope)
        var input = try RecordInput.validate(body, for: entity, mode: .create).get()
        let ownerID = try takeUUID("owner_id", from: &input) ?? scope.userID
        let tags = takeList("tags", from: &input)
        try await checkReferences(input, ownerID: ownerID, entity: entity, scope: scope)
        let now = Timestamps.now()
        let id = UUIDv7.make(at: now)
        let values = input
        let record = try await database.write(workspace: scope.workspaceID) { connection in
            let number = try await RecordStore.nextNumber(entity: entity, scope: scope, on: connection)
            let record = Record(
                entity: entity.name, id: id, number: number, ownerID: ownerID, tags: tags, createdAt: now, createdBy: scope.userID,
                updatedAt: now, updatedBy: scope.userID, version: 1, values: values)
            try await RecordStore.insert(record, entity: entity, scope: scope, on: connection)
            let changes = RecordChanges.diff(from: nil, to: record, entity: entity)
            try await AuditStore.append(
                entity: entity.pluralName, recordID: id, action: "create", title: record.title(in: entity), changes: changes, at: now,
                scope: scope, on: connection)
            try await SearchIndexing.index(record, entity: entity, scope: scope, on: connection)
            return record
        }
        return EntityRecord(record: record, entity: entity)
    }

    public func get(id: UUID, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let entity = try await metadata.entity(pluralName, scope: scope)
        let record = try await database.read(workspace: scope.workspaceID) { connection in
            try await RecordStore.fetch(id: id, entity: entity, scope: scope, on: connection)
        }
        guard let record else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
        return EntityRecord(record: record, entity: entity)
    }

    /// Applies a partial update. `expectedVersion` (from If-Match) must equal the stored version.
    public func update(_ body: JSONValue, id: UUID, expectedVersion: Int64?, entity pluralName: String, scope: AccessScope)
        async throws -> EntityRecord
    {
        let entity = try await metadata.entity(pluralName, scope: scope)
        var input = try RecordInput.validate(body, for: entity, mode: .update).get()
        let ownerChange = input["owner_id"].map { value -> UUID? in if case .uuid(let id) = value { return id } else { return nil } }
        input["owner_id"] = nil
        let tagsChange = input["tags"].map { value -> [String] in if case .list(let items) = value { return items } else { return [] } }
        input["tags"] = nil
        try await checkReferences(input, ownerID: ownerChange ?? nil, entity: entity, scope: scope)
        let now = Timestamps.now()
        let values = input
        let updated = try await database.write(workspace: scope.workspaceID) { connection in
            guard let current = try await RecordStore.fetch(id: id, entity: entity, scope: scope, forUpdate: true, on: connection)
            else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
            if let expectedVersion, expectedVersion != current.version {
                throw CRMError.versionConflict(expected: expectedVersion, current: current.version)
            }
            var updated = current
            for (name, value) in values { updated.values[name] = value.isNull ? nil : value }
            if let ownerChange { updated.ownerID = ownerChange }
            if let tagsChange { updated.tags = tagsChange }
            let changes = RecordChanges.diff(from: current, to: updated, entity: entity)
            guard !(changes.objectValue?.isEmpty ?? true) else { return current }
            updated.version = current.version + 1
            updated.updatedAt = now
            updated.updatedBy = scope.userID
            guard try await RecordStore.update(updated, previousVersion: current.version, entity: entity, scope: scope, on: connection)
            else { throw CRMError.versionConflict(expected: current.version, current: current.version + 1) }
            try await AuditStore.append(
                entity: entity.pluralName, recordID: id, action: "update", title: updated.title(in: entity), changes: changes, at: now,
                scope: scope, on: connection)
            try await SearchIndexing.index(updated, entity: entity, scope: scope, on: connection)
            return updated
        }
        return EntityRecord(record: updated, entity: entity)
    }

    /// Moves a record to the trash.
    public func delete(id: UUID, entity pluralName: String, scope: AccessScope) async throws {
        let entity = try await metadata.entity(pluralName, scope: scope)
        let now = Timestamps.now()
        try await database.write(workspace: scope.workspaceID) { connection in
            guard let current = try await RecordStore.fetch(id: id, entity: entity, scope: scope, forUpdate: true, on: connection),
                try await RecordStore.markDeleted(id: id, entity: entity, scope: scope, at: now, on: connection)
            else { throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased) }
            try await AuditStore.append(
                entity: entity.pluralName, recordID: id, action: "delete", title: current.title(in: entity), changes: .object(JSONObject()),
                at: now, scope: scope, on: connection)
            try await SearchIndexStore.remove(entity: entity.pluralName, id: id, scope: scope, on: connection)
        }
    }

    /// Brings a record back from the trash.
    public func restore(id: UUID, entity pluralName: String, scope: AccessScope) async throws -> EntityRecord {
        let entity = try await metadata.entity(pluralName, scope: scope)
        let now = Timestamps.now()
        let record = try await database.write(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.restore(id: id, entity: entity, scope: scope, on: connection),
                let record = try await RecordStore.fetch(id: id, entity: entity, scope: scope, on: connection)
            else { throw CRMError.recordNotFound(entity: "trash/\(pluralName)", id: id.lowercased) }
            try await AuditStore.append(
                entity: entity.pluralName, recordID: id, action: "restore", title: record.title(in: entity), changes: .object(JSONObject()),
                at: now, scope: scope, on: connection)
            try await SearchIndexing.index(record, entity: entity, scope: scope, on: connection)
            return record
        }
        return EntityRecord(record: record, entity: entity)
    }

    public struct Page: Sendable {
        public var records: [Record]
        public var nextCursor: String?
        public var total: Int?
        public var entity: EntityDefinition
    }

    public func list(_ parameters: [(String, String)], entity pluralName: String, scope: AccessScope) async throws -> Page {
        let entity = try await metadata.entity(pluralName, scope: scope)
        let query = try ListQueryParser.parse(parameters, for: entity).get()
        return try await database.read(workspace: scope.workspaceID) { connection in
            let (records, next) = try await RecordStore.list(query: query, entity: entity, scope: scope, on: connection)
            let total = query.includeCount ? try await RecordStore.count(query: query, entity: entity, scope: scope, on: connection) : nil
            return Page(records: records, nextCursor: next, total: total, entity: entity)
        }
    }

    // MARK: - Checks

    private func takeUUID(_ name: String, from values: inout [String: FieldValue]) throws -> UUID? {
        defer { values[name] = nil }
        if case .uuid(let id)? = values[name] { return id }
        return nil
    }

    private func takeList(_ name: String, from values: inout [String: FieldValue]) -> [String] {
        defer { values[name] = nil }
        if case .list(let items)? = values[name] { return items }
        return []
    }

    /// References must point at live records of the same workspace; users at its users.
    func checkReferences(_ values: [String: FieldValue], ownerID: UUID?, entity: EntityDefinition, scope: AccessScope) async throws {
        var targets: [(field: String, entity: EntityDefinition, id: UUID)] = []
        var userIDs: [(String, UUID)] = []
        if let ownerID { userIDs.append(("owner_id", ownerID)) }
        var issues: [ValidationIssue] = []
        for (name, value) in values {
            guard case .uuid(let id) = value, let field = entity.field(named: name) else { continue }
            switch field.type {
            case .user: userIDs.append((name, id))
            case .reference:
                let targetName = field.referenceEntity ?? (values["parent_type"]?.plainText)
                guard let targetName, let target = BuiltinEntities.byName[targetName] else {
                    issues.append(
                        ValidationIssue(field: name, code: "reference", message: "\(name) needs parent_type to say what it refers to"))
                    continue
                }
                targets.append((name, target, id))
            default: continue
            }
        }
        if entity.name == "note", values["parent_type"] != nil, values["parent_id"] == nil {
            issues.append(ValidationIssue(field: "parent_id", code: "required", message: "parent_id is required with parent_type"))
        }
        if !targets.isEmpty || !userIDs.isEmpty {
            let targets = targets
            let userIDs = userIDs
            let missing = try await database.read(workspace: scope.workspaceID) { connection in
                var missing: [ValidationIssue] = []
                for target in targets
                where !(try await RecordStore.exists(id: target.id, entity: target.entity, scope: scope, on: connection)) {
                    missing.append(
                        ValidationIssue(
                            field: target.field, code: "reference", message: "\(target.field) points at no \(target.entity.name)"))
                }
                for (name, userID) in userIDs
                where try await UserStore.find(id: userID, workspaceID: scope.workspaceID, on: connection) == nil {
                    missing.append(ValidationIssue(field: name, code: "reference", message: "\(name) is not a user of this workspace"))
                }
                return missing
            }
            issues += missing
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
    }
}
