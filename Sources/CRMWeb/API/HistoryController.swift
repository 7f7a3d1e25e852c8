import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The workspace-wide history, the trash and restoring from it.
struct HistoryController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get("history", use: history)
        group.get("trash", use: trash)
        group.post("trash/:entity/:id/restore", use: restore)
    }

    @Sendable func history(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        var issues: [ValidationIssue] = []
        func date(_ key: String) -> Date? {
            guard let text = query[key] else { return nil }
            if let date = Timestamps.parse(text) { return date }
            if Timestamps.isValidDay(text), let date = Timestamps.parse(text + "T00:00:00Z") { return date }
            issues.append(ValidationIssue(field: key, code: "format", message: "\(key) must be a date or ISO 8601 date-time"))
            return nil
        }
        func uuid(_ key: String) -> UUID? {
            guard let text = query[key] else { return nil }
            if let id = UUID(uuidString: text) { return id }
            issues.append(ValidationIssue(field: key, code: "format", message: "\(key) must be a UUID"))
            return nil
        }
        let actions = ["create", "update", "delete", "restore", "purge", "convert", "merge"]
        if let action = query["action"], !actions.contains(action) {
            issues.append(
                ValidationIssue(field: "action", code: "choice", message: "action must be one of \(actions.joined(separator: ", "))"))
        }
        let filter = AuditFilter(
            entity: query["entity"], recordID: uuid("record_id"), actorID: uuid("user"), action: query["action"], from: date("from"),
            to: date("to"), before: uuid("before"), limit: (try? Self.limit(query["limit"])) ?? -1)
        if filter.limit < 0 { issues.append(ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 500")) }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        return APIResponse.json(Self.page(try await services.history.history(filter, scope: scope), limit: filter.limit))
    }

    @Sendable func trash(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        let limit = try Self.limit(query["limit"])
        let items = try await services.history.trash(entity: query["entity"], limit: limit, scope: scope)
        let data: [JSONValue] = items.map { item in
            [
                "entity": .string(item.entity.pluralName), "id": .string(item.record.id.lowercased), "number": .string(item.record.number),
                "title": .string(item.record.title(in: item.entity)),
                "deleted_at": item.record.deletedAt.map { .string(Timestamps.format($0)) } ?? .null,
                "purge_after": item.record.deletedAt.map { .string(Timestamps.format($0.addingTimeInterval(TrashPurgeJob.retention))) }
                    ?? .null,
            ]
        }
        return APIResponse.json(["data": .array(data)])
    }

    @Sendable func restore(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        let record = try await services.records.restore(id: id, entity: entity, scope: scope)
        return APIResponse.json(record.json, headers: [.eTag: "\"\(record.version)\""])
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let limit = Int(text), (1...500).contains(limit) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 500")])
        }
        return limit
    }

    static func page(_ entries: [AuditEntry], limit: Int) -> JSONValue {
        let data: [JSONValue] = entries.map { entry in
            [
                "id": .string(entry.id.lowercased), "entity": .string(entry.entity), "record_id": .string(entry.recordID.lowercased),
                "action": .string(entry.action), "actor_id": entry.actorID.map { .string($0.lowercased) } ?? .null,
                "at": .string(Timestamps.format(entry.at)), "title": entry.title.map { .string($0) } ?? .null, "changes": entry.changes,
            ]
        }
        let next: JSONValue = entries.count == limit ? (entries.last.map { .string($0.id.lowercased) } ?? .null) : .null
        return ["data": .array(data), "next_before": next]
    }
}
