import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// Renders a signed-in page inside the layout, and gathers what values need to be shown
/// (referenced records' titles, users' names, deal stages' names).
struct PageFrame: Sendable {
    let services: Services

    func render(_ viewer: Viewer, title: String, status: HTTPResponse.Status = .ok, main: HTML) async throws -> Response {
        let entities = try await services.metadata.entities(scope: viewer.scope)
        let ordered =
            Layout.navigationOrder.compactMap { entities[$0] }
            + entities.values.filter { BuiltinEntities.byPluralName[$0.pluralName] == nil }.sorted { $0.pluralName < $1.pluralName }
        let unread = (try? await services.follows.notifications(unreadOnly: true, before: nil, limit: 1, scope: viewer.scope).unread) ?? 0
        return PageResponse.html(Layout.page(viewer, title: title, entities: ordered, unread: unread, main: main), status: status)
    }

    /// Deal stages' names by key (every pipeline; the first name of a key wins), read once a page.
    func stageNames(_ viewer: Viewer) async throws -> [String: String] {
        if let known = viewer.cache.stageNames.withLock({ $0 }) { return known }
        var names: [String: String] = [:]
        for pipeline in try await services.pipelines.list(scope: viewer.scope) {
            for stage in pipeline.stages where names[stage.key] == nil { names[stage.key] = viewer.t.label(stage.name) }
        }
        viewer.cache.stageNames.withLock { $0 = names }
        return names
    }

    /// The workspace's users (active first), read once a page.
    func users(_ viewer: Viewer) async throws -> [(id: UUID, name: String, active: Bool)] {
        if let known = viewer.cache.users.withLock({ $0 }) { return known }
        let users = try await services.access.userNames(scope: viewer.scope)
        viewer.cache.users.withLock { $0 = users }
        return users
    }

    /// Titles of the records `records` point at through the fields shown, and users' names.
    func displayContext(for records: [Record], fields: [FieldDefinition], viewer: Viewer) async throws -> DisplayContext {
        let entities = try await services.metadata.entities(scope: viewer.scope)
        var context = DisplayContext()
        for entity in entities.values { context.pluralNames[entity.name] = entity.pluralName }
        var wanted: [String: Set<UUID>] = [:]
        for field in fields where field.type == .reference {
            guard let target = field.referenceEntity.flatMap({ context.pluralNames[$0] }) else { continue }
            for record in records { if case .uuid(let id) = record.value(of: field.name) { wanted[target, default: []].insert(id) } }
        }
        // Polymorphic parents (activities, notes): `parent_type` names the entity.
        if fields.contains(where: { $0.name == "parent_id" }) {
            for record in records {
                if case .uuid(let id) = record.value(of: "parent_id"), case .text(let type) = record.value(of: "parent_type"),
                    let target = context.pluralNames[type]
                {
                    wanted[target, default: []].insert(id)
                }
            }
        }
        for (entity, ids) in wanted where viewer.scope.may(.read, on: entity) {
            for (id, title) in try await services.records.titles(Array(ids), entity: entity, scope: viewer.scope) {
                context.titles[id] = title
            }
        }
        if fields.contains(where: { $0.name == "stage" }) { context.stageNames = try await stageNames(viewer) }
        if fields.contains(where: { $0.type == .user }) {
            for user in try await users(viewer) { context.userNames[user.id] = user.name }
        }
        return context
    }
}
