import CRMCore
import CRMStorage
import Foundation

/// The write path inside one open transaction: entity rules, reference checks, the row, history,
/// the search index, stage history, follower notifications. `RecordService` opens a transaction
/// per request; conversions and merges run several writes through one writer, so all of them
/// commit or none does.
struct RecordWriter: Sendable {
    let scope: AccessScope
    let connection: any DatabaseConnection
    /// The writes' time. `apply` moves it past the record's last change when needed, so a
    /// record's `updated_at` (and its stage history) only ever goes forward, even when
    /// transactions that took their time before waiting for the row lock commit out of order.
    var now: Date
    /// The workspace's entities by plural name (custom fields and option lists included).
    let entities: [String: EntityDefinition]

    /// What kind of write this is; rules treat some differently (a conversion may change a lead
    /// that clients may not).
    enum Action: String, Sendable {
        case create, update, delete, restore, convert, merge
    }

    func entity(named name: String) throws -> EntityDefinition {
        guard let entity = entities.values.first(where: { $0.name == name }) else { throw CRMError.unknownEntity(name) }
        return entity
    }

    // MARK: - Create

    /// Inserts a record from validated input (owner and tags included, as `RecordInput` decodes them).
    func create(_ input: [String: FieldValue], entity: EntityDefinition, action: Action = .create, notify: Bool = true) async throws
        -> Record
    {
        var (record, effects) = try await prepareNew(input, entity: entity, action: action)
        record.number = try await RecordStore.nextNumber(entity: entity, scope: scope, on: connection)
        try await RecordStore.insert(record, entity: entity, scope: scope, on: connection)
        try await AuditStore.append(
            entity: entity.pluralName, recordID: record.id, action: action.rawValue, title: record.title(in: entity),
            changes: RecordChanges.diff(from: nil, to: record, entity: entity), at: now, scope: scope, on: connection)
        try await SearchIndexing.index(record, old: nil, isNew: true, entity: entity, scope: scope, on: connection)
        try await finishNew(record, effects: effects, entity: entity, action: action, notify: notify)
        return record
    }

    /// Many new records with the same rules as `create`, their rows, history, search documents
    /// and match keys written a few hundred per statement (imports, web forms, batches).
    func createMany(_ inputs: [[String: FieldValue]], entity: EntityDefinition, action: Action = .create) async throws -> [Record] {
        var prepared: [(Record, SalesRules.Effects)] = []
        prepared.reserveCapacity(inputs.count)
        for input in inputs { prepared.append(try await prepareNew(input, entity: entity, action: action)) }
        let numbers = try await RecordStore.nextNumbers(prepared.count, entity: entity, scope: scope, on: connection)
        for index in prepared.indices { prepared[index].0.number = numbers[index] }
        let records = prepared.map(\.0)
        try await RecordStore.insert(records, entity: entity, scope: scope, on: connection)
        try await AuditStore.append(
            records.map {
                AuditStore.Entry(
                    recordID: $0.id, title: $0.title(in: entity), changes: RecordChanges.diff(from: nil, to: $0, entity: entity))
            },
            entity: entity.pluralName, action: action.rawValue, at: now, scope: scope, on: connection)
        try await SearchIndexing.indexNew(records, entity: entity, scope: scope, on: connection)
        for (record, effects) in prepared { try await finishNew(record, effects: effects, entity: entity, action: action, notify: true) }
        return records
    }

    /// A new record from validated input: required fields, entity rules, references.
    private func prepareNew(_ input: [String: FieldValue], entity: EntityDefinition, action: Action) async throws
        -> (Record, SalesRules.Effects)
    {
        var values = input
        let ownerID = Self.take("owner_id", from: &values).flatMap(\.uuidValue) ?? scope.userID
        let tags = Self.take("tags", from: &values).flatMap(\.listValue) ?? []
        values = values.filter { !$0.value.isNull }
        // Every create comes here (API, copies, conversions, series, batches), so required fields are checked here too.
        let missing = RecordInput.missingRequired(values, for: entity)
        if !missing.isEmpty { throw CRMError.validation(missing) }
        if action == .create || action == .convert { try authorizeCreate(owner: ownerID, entity: entity) }
        var record = Record(
            entity: entity.name, id: UUIDv7.make(at: now), number: "", ownerID: ownerID, tags: tags, createdAt: now,
            createdBy: scope.userID, updatedAt: now, updatedBy: scope.userID, version: 1, values: values)
        let explicit = Set(input.keys)
        let effects = try await SalesRules.prepare(&record, old: nil, explicit: explicit, action: action, entity: entity, writer: self)
        try await checkReferences(record, changed: explicit.union(effects.derived), entity: entity)
        return (record, effects)
    }

    /// What follows a stored new record: the rules' effects and the owner's notification.
    private func finishNew(_ record: Record, effects: SalesRules.Effects, entity: EntityDefinition, action: Action, notify: Bool)
        async throws
    {
        try await SalesRules.written(record, old: nil, effects: effects, entity: entity, writer: self)
        if notify, let ownerID = record.ownerID, ownerID != scope.userID {
            try await NotificationStore.add(
                userIDs: [ownerID], kind: "assigned", entity: entity.pluralName, recordID: record.id, title: record.title(in: entity),
                details: ["action": .string(action.rawValue)], at: now, scope: scope, on: connection)
        }
    }

    // MARK: - Update

    /// Applies validated input to a stored record. `expectedVersion` (If-Match) must match.
    func update(
        id: UUID, input: [String: FieldValue], expectedVersion: Int64?, entity: EntityDefinition, action: Action = .update
    ) async throws -> Record {
        guard
            let current = try await RecordStore.fetch(
                id: id, entity: entity, scope: scope, access: .visible(.read), forUpdate: true, on: connection)
        else {
            throw CRMError.recordNotFound(entity: entity.pluralName, id: id.lowercased)
        }
        try await authorize(.edit, current, entity: entity)
        if let expectedVersion, expectedVersion != current.version {
            throw CRMError.versionConflict(expected: expectedVersion, current: current.version)
        }
        return try await apply(input, to: current, entity: entity, action: action)
    }

    /// Applies input to a record read (and locked) in this transaction.
    func apply(_ input: [String: FieldValue], to current: Record, entity: EntityDefinition, action: Action) async throws -> Record {
        var writer = self
        writer.now = max(now, current.updatedAt.addingTimeInterval(0.001))
        return try await writer.applyInOrder(input, to: current, entity: entity, action: action)
    }

    private func applyInOrder(_ input: [String: FieldValue], to current: Record, entity: EntityDefinition, action: Action) async throws
        -> Record
    {
        var values = input
        let ownerChange = Self.take("owner_id", from: &values)
        let tagsChange = Self.take("tags", from: &values)
        var updated = current
        for (name, value) in values { updated.values[name] = value.isNull ? nil : value }
        if let ownerChange { updated.ownerID = ownerChange.uuidValue }
        if let tagsChange { updated.tags = tagsChange.listValue ?? [] }
        let effects = try await SalesRules.prepare(
            &updated, old: current, explicit: Set(input.keys), action: action, entity: entity, writer: self)
        let changes = RecordChanges.diff(from: current, to: updated, entity: entity)
        guard !(changes.objectValue?.isEmpty ?? true) else { return current }
        let changed = Set(changes.objectValue?.map(\.key) ?? [])
        try await checkReferences(updated, changed: changed, entity: entity)
        updated.version = current.version + 1
        updated.updatedAt = now
        updated.updatedBy = scope.userID
        guard try await RecordStore.update(updated, previousVersion: current.version, entity: entity, scope: scope, on: connection) else {
            throw CRMError.versionConflict(expected: current.version, current: current.version + 1)
        }
        try await AuditStore.append(
            entity: entity.pluralName, recordID: current.id, action: action.rawValue, title: updated.title(in: entity), changes: changes,
            at: now, scope: scope, on: connection)
        try await SearchIndexing.index(updated, old: current, entity: entity, scope: scope, on: connection)
        try await SalesRules.written(updated, old: current, effects: effects, entity: entity, writer: self)
        try await notifyFollowers(
            of: updated, entity: entity, kind: changed.contains("stage") ? "stage_changed" : "updated",
            details: ["action": .string(action.rawValue), "changes": changes])
        if let owner = updated.ownerID, owner != current.ownerID, owner != scope.userID {
            try await NotificationStore.add(
                userIDs: [owner], kind: "assigned", entity: entity.pluralName, recordID: current.id, title: updated.title(in: entity),
                details: ["action": .string(action.rawValue)], at: now, scope: scope, on: connection)
        }
        return updated
    }

    // MARK: - Trash

    func delete(id: UUID, entity: EntityDefinition, action: Action = .delete) async throws -> Record {
        guard
            let current = try await RecordStore.fetch(
                id: id, entity: entity, scope: scope, access: .visible(.read), forUpdate: true, on: connection)
        else { throw CRMError.recordNotFound(entity: entity.pluralName, id: id.lowercased) }
        if action == .delete { try await authorize(.delete, current, entity: entity) }
        guard try await RecordStore.markDeleted(id: id, entity: entity, scope: scope, at: now, on: connection) else {
            throw CRMError.recordNotFound(entity: entity.pluralName, id: id.lowercased)
        }
        try await AuditStore.append(
            entity: entity.pluralName, recordID: id, action: action.rawValue, title: current.title(in: entity),
            changes: .object(JSONObject()), at: now, scope: scope, on: connection)
        try await SearchIndexing.remove(current, entity: entity, scope: scope, on: connection)
        try await notifyFollowers(of: current, entity: entity, kind: "deleted", details: ["action": .string(action.rawValue)])
        return current
    }

    func restore(id: UUID, entity: EntityDefinition) async throws -> Record {
        guard
            let trashed = try await RecordStore.fetch(
                id: id, entity: entity, scope: scope, access: .visible(.read), includeDeleted: true, on: connection),
            trashed.deletedAt != nil
        else { throw CRMError.recordNotFound(entity: "trash/\(entity.pluralName)", id: id.lowercased) }
        try await authorize(.delete, trashed, entity: entity)
        guard try await RecordStore.restore(id: id, entity: entity, scope: scope, on: connection),
            let record = try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .tenant, on: connection)
        else { throw CRMError.recordNotFound(entity: "trash/\(entity.pluralName)", id: id.lowercased) }
        try await AuditStore.append(
            entity: entity.pluralName, recordID: id, action: Action.restore.rawValue, title: record.title(in: entity),
            changes: .object(JSONObject()), at: now, scope: scope, on: connection)
        try await SearchIndexing.index(record, old: nil, entity: entity, scope: scope, on: connection)
        try await notifyFollowers(of: record, entity: entity, kind: "restored", details: [:])
        return record
    }

    // MARK: - Access

    /// Refuses (403) an action on a record the caller can see but may not act on: the action's
    /// scope must reach the record's owner (for edits, an edit share will do) and the profile's
    /// conditions on the stored record must hold. Callers read the record with `.visible(.read)`
    /// first, so what the caller cannot see is a 404 before it gets here.
    func authorize(_ action: AccessAction, _ record: Record, entity: EntityDefinition) async throws {
        guard let grants = scope.grants else { return }
        let name = entity.pluralName
        guard !grants.rules.levels(name, action).isEmpty else {
            throw CRMError.forbidden("your profile does not let you \(action.rawValue) \(name)")
        }
        var allowed = grants.covers(owner: record.ownerID, name, action)
        if !allowed, action == .edit {
            allowed = try await AccessStore.isShared(
                entity: name, recordID: record.id, access: .edit, grants: grants, scope: scope, on: connection)
        }
        guard allowed else { throw CRMError.forbidden("you may not \(action.rawValue) this \(entity.name): it is outside your scope") }
        if let conditions = grants.rules.conditions[name]?[action], !conditions.isEmpty {
            let pipelines = record.values["stage"] == nil ? [] : try await PipelineStore.all(scope: scope, on: connection)
            let order: (String) -> (pipeline: UUID, position: Int)? = { key in
                for pipeline in pipelines { if let stage = pipeline.stage(key) { return (pipeline.id, stage.position) } }
                return nil
            }
            let stage = record.values["stage"]?.plainText
            let status = record.values["status"]?.plainText
            guard conditions.contains(where: { $0.holds(stage: stage, status: status, stageOrder: order) }) else {
                throw CRMError.forbidden(
                    "your profile does not let you \(action.rawValue) this \(entity.name) at its current stage or status")
            }
        }
    }

    /// A new record's owner must be within the caller's create scope.
    func authorizeCreate(owner: UUID?, entity: EntityDefinition) throws {
        guard let grants = scope.grants else { return }
        guard !grants.rules.levels(entity.pluralName, .create).isEmpty else {
            throw CRMError.forbidden("your profile does not let you create \(entity.pluralName)")
        }
        guard grants.covers(owner: owner, entity.pluralName, .create) else {
            throw CRMError.forbidden("you may not create \(entity.pluralName) owned by that user")
        }
    }

    // MARK: - Checks and effects

    /// References must point at live records of the same workspace; users at its users. Only the
    /// fields this write changes are checked (a reference may go stale when its target is trashed).
    func checkReferences(_ record: Record, changed: Set<String>, entity: EntityDefinition) async throws {
        var issues: [ValidationIssue] = []
        if changed.contains("owner_id"), let ownerID = record.ownerID,
            try await UserStore.find(id: ownerID, workspaceID: scope.workspaceID, on: connection) == nil
        {
            issues.append(ValidationIssue(field: "owner_id", code: "reference", message: "owner_id is not a user of this workspace"))
        }
        if entity.field(named: "parent_type") != nil, (record.values["parent_type"] == nil) != (record.values["parent_id"] == nil) {
            let missing = record.values["parent_type"] == nil ? "parent_type" : "parent_id"
            issues.append(
                ValidationIssue(field: missing, code: "required", message: "parent_type and parent_id go together; \(missing) is missing"))
        }
        for name in changed.sorted() {
            guard let field = entity.field(named: name), case .uuid(let id)? = record.values[name] else { continue }
            switch field.type {
            case .user:
                if try await UserStore.find(id: id, workspaceID: scope.workspaceID, on: connection) == nil {
                    issues.append(ValidationIssue(field: name, code: "reference", message: "\(name) is not a user of this workspace"))
                }
            case .reference:
                let targetName = field.referenceEntity ?? record.values["parent_type"]?.plainText
                guard let targetName, let target = try? self.entity(named: targetName) else { continue }
                if !(try await RecordStore.exists(id: id, entity: target, scope: scope, access: .tenant, on: connection)) {
                    issues.append(ValidationIssue(field: name, code: "reference", message: "\(name) points at no \(target.name)"))
                }
            default: continue
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
    }

    /// Tells the record's followers (but not the person who made the change) what happened.
    func notifyFollowers(of record: Record, entity: EntityDefinition, kind: String, details: JSONValue) async throws {
        let followers = try await FollowStore.followers(entity: entity.pluralName, recordID: record.id, scope: scope, on: connection)
            .filter { $0 != scope.userID }
        guard !followers.isEmpty else { return }
        try await NotificationStore.add(
            userIDs: followers, kind: kind, entity: entity.pluralName, recordID: record.id, title: record.title(in: entity),
            details: details, at: now, scope: scope, on: connection)
    }

    static func take(_ name: String, from values: inout [String: FieldValue]) -> FieldValue? {
        defer { values[name] = nil }
        return values[name]
    }
}

extension FieldValue {
    var uuidValue: UUID? {
        if case .uuid(let id) = self { return id }
        return nil
    }

    var listValue: [String]? {
        if case .list(let items) = self { return items }
        return nil
    }
}
