import CRMCore
import CRMStorage
import Foundation

/// Links between records seen from one side: a contact's companies, a company's contacts, a
/// deal's contacts with their roles, a meeting's participants.
public struct RelationService: Sendable {
    let records: RecordService

    public struct Item: Sendable {
        public var link: RecordLink
        /// The record on the other side (nil for users, whose summary is in `user`).
        public var record: EntityRecord?
        public var user: User?

        public var json: JSONValue {
            var object = JSONObject()
            object["link_id"] = .string(link.id.lowercased)
            object["role"] = link.role.map { .string($0) } ?? .null
            object["title"] = link.title.map { .string($0) } ?? .null
            object["is_primary"] = .bool(link.isPrimary)
            object["created_at"] = .string(Timestamps.format(link.createdAt))
            if let record {
                object["entity"] = .string(record.entity.pluralName)
                object["id"] = .string(record.id.lowercased)
                object["record"] = record.json
            } else if let user {
                object["entity"] = "users"
                object["id"] = .string(user.id.lowercased)
                object["record"] = ["id": .string(user.id.lowercased), "name": .string(user.name), "email": .string(user.email)]
            }
            return .object(object)
        }
    }

    func endpoint(_ entity: String, _ name: String) throws -> RelationEndpoint {
        guard let endpoint = RelationEndpoint.find(entity: entity, name: name) else {
            throw CRMError.notFound("\(entity) have no relation \(name)")
        }
        return endpoint
    }

    public func list(entity pluralName: String, id: UUID, relation name: String, scope: AccessScope) async throws -> [Item] {
        let endpoint = try endpoint(pluralName, name)
        let entities = try await records.metadata.entities(scope: scope)
        guard let entity = entities[pluralName] else { throw CRMError.unknownEntity(pluralName) }
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.exists(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection) else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            let links =
                endpoint.outgoing
                ? try await LinkStore.from(kind: endpoint.kind.rawValue, fromID: id, scope: scope, on: connection)
                : try await LinkStore.to(kind: endpoint.kind.rawValue, toID: id, scope: scope, on: connection)
            var items: [Item] = []
            for link in links {
                let otherID = endpoint.outgoing ? link.toID : link.fromID
                let otherName = endpoint.outgoing ? link.toEntity : endpoint.targets.first ?? ""
                if otherName == "user" {
                    if let user = try await UserStore.find(id: otherID, workspaceID: scope.workspaceID, on: connection) {
                        items.append(Item(link: link, record: nil, user: user))
                    }
                    continue
                }
                guard let other = entities.values.first(where: { $0.name == otherName }),
                    let record = try await RecordStore.fetch(
                        id: otherID, entity: other, scope: scope, access: .visible(.read), on: connection)
                else { continue }
                let visible = other.hiding(scope.hiddenFields(other.pluralName))
                items.append(Item(link: link, record: EntityRecord(record: record, entity: visible), user: nil))
            }
            return items
        }
    }

    /// Adds (or updates) a link: `{"id": other, "entity": "contact", "role": ..., "title": ..., "is_primary": ...}`.
    public func add(_ body: JSONValue, entity pluralName: String, id: UUID, relation name: String, scope: AccessScope) async throws -> Item
    {
        let endpoint = try endpoint(pluralName, name)
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)")
        }
        var issues: [ValidationIssue] = []
        for (key, _) in object where !["id", "entity", "role", "title", "is_primary"].contains(key) {
            issues.append(
                ValidationIssue(field: key, code: "unknown_field", message: "a link takes id, entity, role, title and is_primary"))
        }
        let otherID = object["id"]?.stringValue.flatMap(UUID.parse)
        if otherID == nil { issues.append(ValidationIssue(field: "id", code: "required", message: "id of the record to link is required")) }
        let requested = object["entity"]?.stringValue
        let otherEntity =
            requested.map { name in
                name == "users" ? "user" : BuiltinEntities.all.first { $0.pluralName == name || $0.name == name }?.name ?? name
            } ?? endpoint.targets[0]
        if !endpoint.targets.contains(otherEntity) {
            issues.append(
                ValidationIssue(
                    field: "entity", code: "choice", message: "entity must be one of: \(endpoint.targets.joined(separator: ", "))"))
        }
        let role = object["role"]?.stringValue
        if let raw = object["role"], !raw.isNull {
            if endpoint.roles.isEmpty || !endpoint.roles.contains(where: { $0.value == role }) {
                let allowed = endpoint.roles.map(\.value).joined(separator: ", ")
                issues.append(
                    ValidationIssue(
                        field: "role", code: "choice",
                        message: endpoint.roles.isEmpty ? "this link has no role" : "role must be one of: \(allowed)"))
            }
        }
        var title: String?
        if let raw = object["title"], !raw.isNull {
            if let text = raw.stringValue, text.count <= 255, !FieldDefinition.hasControlCharacters(text) {
                title = text
            } else {
                issues.append(ValidationIssue(field: "title", code: "type", message: "title must be a text of up to 255 characters"))
            }
        }
        var isPrimary = false
        if let raw = object["is_primary"], !raw.isNull {
            if case .bool(let flag) = raw {
                isPrimary = flag
            } else {
                issues.append(ValidationIssue(field: "is_primary", code: "type", message: "is_primary must be true or false"))
            }
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let (linkTitle, primary) = (title, isPrimary)
        let entities = try await records.metadata.entities(scope: scope)
        guard let entity = entities[pluralName] else { throw CRMError.unknownEntity(pluralName) }
        let link = try await records.write(scope: scope) { writer in
            guard
                let record = try await RecordStore.fetch(
                    id: id, entity: entity, scope: scope, access: .visible(.read), on: writer.connection)
            else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            try await writer.authorize(.edit, record, entity: entity)
            let otherExists: Bool
            if otherEntity == "user" {
                otherExists = try await UserStore.find(id: otherID!, workspaceID: scope.workspaceID, on: writer.connection) != nil
            } else {
                otherExists = try await RecordStore.exists(
                    id: otherID!, entity: try writer.entity(named: otherEntity), scope: scope, access: .visible(.read),
                    on: writer.connection)
            }
            guard otherExists else {
                throw CRMError.validation([ValidationIssue(field: "id", code: "reference", message: "id points at no \(otherEntity)")])
            }
            let fromID = endpoint.outgoing ? id : otherID!
            let toID = endpoint.outgoing ? otherID! : id
            let toEntity = endpoint.outgoing ? otherEntity : String(entity.name)
            let link = try await LinkStore.upsert(
                RecordLink(
                    id: UUIDv7.make(at: writer.now), kind: endpoint.kind.rawValue, fromID: fromID, toEntity: toEntity, toID: toID,
                    role: role, title: linkTitle, isPrimary: primary, createdAt: writer.now, createdBy: scope.userID), scope: scope,
                on: writer.connection)
            if endpoint.kind == .participant {
                // A user who takes part reads the activity: its search document says so.
                try await SearchIndexing.refresh(
                    entity: try writer.entity(named: "activity"), id: fromID, scope: scope, on: writer.connection)
            }
            return link
        }
        let items = try await list(entity: pluralName, id: id, relation: name, scope: scope)
        guard let item = items.first(where: { $0.link.id == link.id }) else {
            throw CRMError.notFound("the link was not found after it was written")
        }
        return item
    }

    public func remove(entity pluralName: String, id: UUID, relation name: String, otherID: UUID, scope: AccessScope) async throws {
        let endpoint = try endpoint(pluralName, name)
        let activity = endpoint.kind == .participant ? try await records.metadata.entity("activities", scope: scope) : nil
        let removed = try await records.database.write(workspace: scope.workspaceID) { connection in
            let removed = try await LinkStore.remove(
                kind: endpoint.kind.rawValue, fromID: endpoint.outgoing ? id : otherID, toID: endpoint.outgoing ? otherID : id,
                scope: scope,
                on: connection)
            if removed, let activity {
                try await SearchIndexing.refresh(entity: activity, id: endpoint.outgoing ? id : otherID, scope: scope, on: connection)
            }
            return removed
        }
        guard removed else { throw CRMError.notFound("\(pluralName)/\(id.lowercased) is not linked to \(otherID.lowercased)") }
    }
}
