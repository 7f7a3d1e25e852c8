import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/notifications`: what happened to the records the person follows, newest first; opening
/// one marks it read, and all can be marked read at once.
struct NotificationsPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        let (entries, unread) = try await services.follows.notifications(unreadOnly: false, before: nil, limit: 50, scope: viewer.scope)
        let users = Dictionary(
            try await frame.users(viewer).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let items = HTML(
            joining: entries.map { entry in
                let kindKey = "notification.\(entry.kind)"
                let kind = t(kindKey) == kindKey ? entry.kind : t(kindKey)
                let actor: HTML = entry.actorID.flatMap { users[$0] }.map { " · \($0)" } ?? ""
                return """
                    <li class="\(entry.readAt == nil ? "unread" : "read")"><form method="post" action="/notifications/\(entry.id.lowercased)">\(viewer.csrfField)
                    <button class="link-button" type="submit">\(entry.title.isEmpty ? kind : entry.title)</button></form>
                    <span class="meta">\(kind) · \(viewer.format.dateTime(entry.createdAt))\(actor)</span></li>
                    """
            })
        let main: HTML = """
            <div class="page-head"><h1>\(t("nav.notifications"))</h1>
            <div class="actions">\(unread > 0 ? "<form method=\"post\" action=\"/notifications/read\">\(viewer.csrfField)<button type=\"submit\" id=\"read-all\">\(t("notification.read_all"))</button></form>" as HTML : "")</div></div>
            <div class="card">\(entries.isEmpty ? "<p class=\"empty\">\(t("notification.none"))</p>" as HTML : "<ul class=\"list-plain notifications\">\(items)</ul>")</div>
            """
        return try await frame.render(viewer, title: t("nav.notifications"), main: main)
    }

    /// `POST /notifications/{id}`: read it and open its record.
    @Sendable func open(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw CRMError.notFound("no such notification") }
        let (entries, _) = try await services.follows.notifications(unreadOnly: false, before: nil, limit: 200, scope: viewer.scope)
        guard let entry = entries.first(where: { $0.id == id }) else { throw CRMError.notFound("no such notification") }
        _ = try await services.follows.mark(id: id, read: true, scope: viewer.scope)
        return PageResponse.redirect("/\(entry.entity)/\(entry.recordID.lowercased)")
    }

    @Sendable func readAll(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        _ = try await services.follows.mark(id: nil, read: true, scope: viewer.scope)
        return PageResponse.redirect("/notifications")
    }
}
