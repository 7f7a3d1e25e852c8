import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The list page's tools: saved views (personal or shared), the column chooser, and bulk actions
/// on the rows ticked (assign an owner, change status or stage, add a tag, delete).
struct ListTools: Sendable {
    let services: Services

    /// Saved views as links, the current list saved under a name, and the column chooser.
    func viewsBar(entity: EntityDefinition, items: [(String, String)], columns: [FieldDefinition], viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        let name = entity.pluralName
        let views = try await services.views.views(entity: name, scope: viewer.scope)
        let links = HTML(
            joining: views.map { view in
                let delete: HTML =
                    view.userID == viewer.scope.userID || viewer.scope.isAdmin
                    ? "<form class=\"inline\" method=\"post\" action=\"/\(name)/views/\(view.id.lowercased)/delete\">\(viewer.csrfField)<button class=\"link-button\" type=\"submit\" aria-label=\"\(t("views.delete", view.name))\">×</button></form>"
                    : ""
                return
                    "<div class=\"chip view-link\"><a href=\"/\(name)?\(view.query)\">\(view.name)</a>\(view.shared ? " <span class=\"meta\">\(t("views.shared_mark"))</span>" as HTML : "")\(delete)</div>"
            })
        let current = RecordListPage.queryString(items, removing: ["cursor"])
        let chosen = Set(columns.map(\.name))
        let choices = HTML(
            joining: entity.allFields.filter { $0.name != "id" && $0.type != .recurrence }.map { field in
                "<label><input type=\"checkbox\" name=\"column\" value=\"\(field.name)\"\(flag: "checked", chosen.contains(field.name))> \(t.label(field.label))</label>"
            })
        let kept = HTML(
            joining: items.filter { !["cursor", "columns"].contains($0.0) }.map {
                "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">"
            })
        return """
            <div class="list-tools">
            <div id="saved-views">\(links)</div>
            <details class="menu" id="save-view"><summary class="button">\(t("views.save"))</summary><div class="menu-items padded">
            <form method="post" action="/\(name)/views">\(viewer.csrfField)<input type="hidden" name="query" value="\(current)">
            <div class="field"><label for="view-name">\(t("views.name"))</label><input id="view-name" name="name" required maxlength="100"></div>
            <label><input type="checkbox" name="shared" value="1"> \(t("views.shared"))</label>
            <button class="primary" id="save-view-submit" type="submit">\(t("form.save"))</button></form></div></details>
            <details class="menu" id="choose-columns"><summary class="button">\(t("views.columns"))</summary><div class="menu-items padded">
            <form method="get" action="/\(name)/columns">\(kept)<input type="hidden" name="_order" value="\(columns.map(\.name).joined(separator: ","))">
            <fieldset class="column-choices"><legend class="meta">\(t("views.columns_hint"))</legend>\(choices)</fieldset>
            <button class="primary" type="submit">\(t("views.apply"))</button></form></div></details>
            </div>
            """
    }

    /// The controls of a bulk action, above the table (the table's checkboxes belong to the form).
    func bulkControls(entity: EntityDefinition, returnTo: String, viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        let name = entity.pluralName
        guard viewer.scope.may(.edit, on: name) || viewer.scope.may(.delete, on: name) else { return "" }
        let users = HTML(
            joining: try await PageFrame(services: services).users(viewer).filter(\.active).map {
                "<option value=\"\($0.id.lowercased)\">\($0.name)</option>"
            })
        var values: HTML = ""
        var actions: HTML = "<option value=\"owner\">\(t("bulk.owner"))</option><option value=\"tag\">\(t("bulk.tag"))</option>"
        if let field = entity.field(named: name == "deals" ? "stage" : "status") {
            var options: [(String, String)] = []
            if name == "deals" {
                for pipeline in try await services.pipelines.list(scope: viewer.scope) where pipeline.isDefault {
                    options = pipeline.stages.filter { $0.kind != .lost }.map { ($0.key, t.label($0.name)) }
                }
            } else {
                options = field.options.filter { $0.value != "converted" && $0.value != "junk" }.map { ($0.value, t.label($0.label)) }
            }
            actions += "<option value=\"status\">\(t.label(field.label))</option>"
            values =
                "<select name=\"status_value\" aria-label=\"\(t.label(field.label))\">\(HTML(joining: options.map { "<option value=\"\($0.0)\">\($0.1)</option>" }))</select>"
        }
        if viewer.scope.may(.delete, on: name) { actions += "<option value=\"delete\">\(t("bulk.delete"))</option>" }
        return """
            <form id="bulk-form" method="post" action="/\(name)/bulk" class="filters bulk" data-confirm-delete="\(t("bulk.delete_confirm"))">\(viewer.csrfField)
            <input type="hidden" name="_return" value="\(returnTo)">
            <div class="field"><label for="bulk-action">\(t("bulk.action"))</label><select id="bulk-action" name="action">\(actions)</select></div>
            <div class="field"><label for="bulk-owner">\(t("bulk.owner"))</label><select id="bulk-owner" name="owner_id">\(users)</select></div>
            \(values.text.isEmpty ? "" : "<div class=\"field\"><span class=\"meta\">\(t("bulk.value"))</span>\(values)</div>" as HTML)
            <div class="field"><label for="bulk-tag">\(t("bulk.tag"))</label><input id="bulk-tag" name="tag" maxlength="100"></div>
            <button type="submit" id="bulk-apply">\(t("bulk.apply"))</button>
            </form>
            """
    }

    /// `POST /{entity}/bulk`.
    @Sendable func bulk(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let ids = form.values("ids").compactMap(UUID.init(uuidString:))
        let back = PageResponse.localPath(form.value("_return") ?? "/\(name)")
        guard !ids.isEmpty else { return PageResponse.redirect(Self.adding(back, [("bulk", "none")])) }
        let change: RecordService.BulkChange
        switch form.value("action") {
        case "owner": change = .set(["owner_id": .string(form.value("owner_id") ?? "")])
        case "status": change = .set([name == "deals" ? "stage" : "status": .string(form.value("status_value") ?? "")])
        case "tag":
            let tag = (form.value("tag") ?? "").trimmingCharacters(in: .whitespaces)
            guard !tag.isEmpty else { return PageResponse.redirect(Self.adding(back, [("bulk", "no_tag")])) }
            change = .addTag(tag)
        case "delete": change = .delete
        default: throw CRMError.badRequest(code: "action", message: "unknown bulk action")
        }
        do {
            let result = try await services.records.bulk(change, ids: ids, entity: name, scope: viewer.scope)
            return PageResponse.redirect(
                Self.adding(back, [("bulk_done", String(result.changed)), ("bulk_refused", String(result.refused.count))]))
        } catch CRMError.validation {
            return PageResponse.redirect(Self.adding(back, [("bulk", "invalid")]))
        }
    }

    /// `POST /{entity}/views`: the current list under a name.
    @Sendable func saveView(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let query = APIResponse.formItems(form.value("query") ?? "")
        do {
            _ = try await services.views.save(
                name: form.value("name") ?? "", query: query, shared: form.value("shared") == "1", entity: name, scope: viewer.scope)
        } catch CRMError.validation {
            return PageResponse.redirect(Self.adding("/\(name)?\(form.value("query") ?? "")", [("view_error", "1")]))
        }
        return PageResponse.redirect("/\(name)?\(form.value("query") ?? "")")
    }

    @Sendable func deleteView(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw CRMError.notFound("no such view") }
        try await services.views.delete(id: id, scope: viewer.scope)
        return PageResponse.redirect("/\(name)")
    }

    /// `GET /{entity}/columns?column=a&column=b&…`: the chosen columns, in the order they were
    /// shown (new ones at the end), as the list's `columns=`.
    @Sendable func chooseColumns(_ request: Request, context: AppContext) async throws -> Response {
        let name = try context.parameters.require("entity")
        let items = try APIResponse.queryItems(request)
        let chosen = items.filter { $0.0 == "column" }.map(\.1)
        let order = (items.last { $0.0 == "_order" }?.1 ?? "").split(separator: ",").map(String.init)
        let columns = order.filter { chosen.contains($0) } + chosen.filter { !order.contains($0) }
        var kept = items.filter { $0.0 != "column" && $0.0 != "_order" && $0.0 != "cursor" }
        if !columns.isEmpty { kept.append(("columns", columns.joined(separator: ","))) }
        return PageResponse.redirect("/\(HTML.urlComponent(name))?\(RecordListPage.queryString(kept, removing: []))")
    }

    static func adding(_ path: String, _ items: [(String, String)]) -> String {
        let extra = RecordListPage.queryString(items, removing: [])
        return path + (path.contains("?") ? "&" : "?") + extra
    }
}
