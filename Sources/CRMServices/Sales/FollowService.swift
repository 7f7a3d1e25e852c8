import CRMCore
import CRMStorage
import Foundation

/// Following records and reading the notifications that follows (and assignments) produce.
public struct FollowService: Sendable {
    let records: RecordService

    func requireUser(_ scope: AccessScope) throws -> UUID {
        guard let userID = scope.userID else { throw CRMError.unauthenticated("following needs a signed-in user") }
        return userID
    }

    public func follow(entity pluralName: String, id: UUID, scope: AccessScope) async throws -> [UUID] {
        let userID = try requireUser(scope)
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        return try await records.database.write(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.exists(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection) else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            try await FollowStore.follow(entity: entity.pluralName, recordID: id, userID: userID, scope: scope, on: connection)
            try await SearchIndexing.refresh(entity: entity, id: id, scope: scope, on: connection)
            return try await FollowStore.followers(entity: entity.pluralName, recordID: id, scope: scope, on: connection)
        }
    }

    public func unfollow(entity pluralName: String, id: UUID, scope: AccessScope) async throws {
        let userID = try requireUser(scope)
        guard !scope.readOnly else { throw CRMError.forbidden("this token is read-only") }
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        let removed = try await records.database.write(workspace: scope.workspaceID) { connection in
            let removed = try await FollowStore.unfollow(
                entity: entity.pluralName, recordID: id, userID: userID, scope: scope, on: connection)
            if removed { try await SearchIndexing.refresh(entity: entity, id: id, scope: scope, on: connection) }
            return removed
        }
        guard removed else { throw CRMError.notFound("you do not follow \(pluralName)/\(id.lowercased)") }
    }

    public func followers(entity pluralName: String, id: UUID, scope: AccessScope) async throws -> [UUID] {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            guard try await RecordStore.exists(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection) else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            return try await FollowStore.followers(entity: entity.pluralName, recordID: id, scope: scope, on: connection)
        }
    }

    public func notifications(unreadOnly: Bool, before: UUID?, limit: Int, scope: AccessScope) async throws -> (
        [NotificationEntry], unread: Int
    ) {
        let userID = try requireUser(scope)
        // Only notifications about records the reader may still read (access changes after a
        // notification was written count).
        let entities = try await records.metadata.entities(scope: scope)
        let visible = RecordQueryCompiler.recordRowsVisibility(
            scope: scope, entities: Array(entities.values), entityColumn: "notifications.entity", idColumn: "notifications.record_id")
        let (entries, unread) = try await records.database.read(workspace: scope.workspaceID) { connection in
            (
                try await NotificationStore.list(
                    userID: userID, unreadOnly: unreadOnly, before: before, limit: limit, visible: visible, scope: scope,
                    on: connection),
                try await NotificationStore.unreadCount(userID: userID, visible: visible, scope: scope, on: connection)
            )
        }
        // The changes a notification lists leave out the fields hidden from the reader, and a
        // title made of a hidden field is left out.
        return (
            entries.map { entry in
                let hidden = scope.hiddenFields(entry.entity)
                guard !hidden.isEmpty else { return entry }
                var entry = entry
                if let entity = entities[entry.entity], !hidden.isDisjoint(with: entity.titleFields) { entry.title = "" }
                guard case .object(var details) = entry.details, case .object(let changes)? = details["changes"] else {
                    return entry
                }
                var kept = JSONObject()
                for (key, value) in changes where !hidden.contains(key) { kept.append(key, value) }
                details["changes"] = .object(kept)
                entry.details = .object(details)
                return entry
            }, unread
        )
    }

    /// Marks one notification (or all, with nil) read or unread; returns how many changed.
    public func mark(id: UUID?, read: Bool, scope: AccessScope) async throws -> Int {
        let userID = try requireUser(scope)
        let changed = try await records.database.write(workspace: scope.workspaceID) { connection in
            try await NotificationStore.markRead(id: id, read: read, userID: userID, scope: scope, on: connection)
        }
        if let id, changed == 0 { throw CRMError.notFound("notification \(id.lowercased) does not exist") }
        return changed
    }
}
