import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/{entity}/{id}`: the record's header and actions, its fields, and its timeline with a quick
/// note at the top.
struct RecordPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }
    static let timelineLimit = 30
    /// Field types edited in place on the record page (the others through the form).
    static let inlineTypes: Set<FieldType> = [.text, .longText, .email, .phone, .url]
    /// Text fields whose values are keys of something else (a deal's stage: moved on the board
    /// or through the form), never typed in place.
    static let notInline: Set<String> = ["stage"]

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let record = try await services.records.get(id: id, entity: name, scope: viewer.scope).record
        let fields = entity.allFields.filter { $0.name != "id" && $0.name != "version" && $0.type != .recurrence }
        let display = try await frame.displayContext(for: [record], fields: fields, viewer: viewer)
        let timeline = try await services.timeline.timeline(
            entity: name, id: id, limit: Self.timelineLimit, before: nil, scope: viewer.scope)
        let title = record.title(in: entity)
        let shown = fields.filter { !record.value(of: $0.name).isNull }
        // Text fields the person may change are edited in place (the scripts send a PATCH with the
        // version read here; a newer version is reported, not overwritten).
        let editable =
            viewer.scope.may(.edit, on: name)
            ? Set(RecordForm.editableFields(entity).map(\.name)).subtracting(viewer.scope.readOnlyFields(name)) : []
        let rows = HTML(
            joining: shown.map { field in
                let value = record.value(of: field.name)
                let shownValue = FieldDisplay.html(value, field: field, viewer: viewer, context: display)
                guard editable.contains(field.name), Self.inlineTypes.contains(field.type), !Self.notInline.contains(field.name),
                    case .text(let raw) = value
                else {
                    return "<dt>\(t.label(field.label))</dt><dd>\(shownValue)</dd>"
                }
                return
                    "<dt>\(t.label(field.label))</dt><dd data-inline=\"\(field.name)\" data-type=\"\(field.type.rawValue)\" data-value=\"\(raw)\">\(shownValue)</dd>"
            })
        let inline: HTML =
            " data-entity=\"\(name)\" data-id=\"\(id.lowercased)\" data-version=\"\(record.version)\" data-save=\"\(t("form.save"))\" data-cancel=\"\(t("form.cancel"))\" data-edit=\"\(t("record.edit_field"))\" data-conflict=\"\(t("record.inline_conflict"))\" data-failed=\"\(t("record.inline_failed"))\""
        let base = "/\(name)/\(id.lowercased)"
        var actions: HTML = ""
        if name == "leads", viewer.scope.may(.edit, on: name), record.value(of: "status") != .text("converted") {
            actions += "<a class=\"button primary\" id=\"convert\" href=\"\(base)/convert\">\(t("record.convert"))</a>"
        }
        if viewer.scope.may(.edit, on: name) { actions += "<a class=\"button\" id=\"edit\" href=\"\(base)/edit\">\(t("record.edit"))</a>" }
        let following = try await services.follows.followers(entity: name, id: id, scope: viewer.scope).contains {
            $0 == viewer.scope.userID
        }
        actions += """
            <form method="post" action="\(base)/follow">\(viewer.csrfField)<input type="hidden" name="follow" value="\(following ? "0" : "1")"><button id="follow" type="submit" aria-pressed="\(following ? "true" : "false")">\(t(following ? "record.unfollow" : "record.follow"))</button></form>
            """
        if viewer.scope.may(.create, on: name) {
            actions += """
                <form method="post" action="\(base)/copy">\(viewer.csrfField)<button id="copy" type="submit">\(t("record.copy"))</button></form>
                """
        }
        if viewer.scope.may(.delete, on: name) {
            actions += """
                <form id="delete-form" method="post" action="\(base)/delete" data-confirm="\(t("record.delete_confirm"))">\(viewer.csrfField)<button id="delete" class="danger" type="submit">\(t("record.delete"))</button></form>
                """
        }
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })
        var notice: HTML = query["saved"] != nil ? "<div class=\"notice\" role=\"status\">\(t("record.saved"))</div>" : ""
        if let converted = query["converted"] {
            notice = try await conversionNotice(converted, viewer: viewer)
        }
        if query["duplicates"] != nil, DuplicateWarning.checked.contains(name) {
            notice = try await DuplicateWarning(services: services).html(entity: name, id: id, viewer: viewer)
        }
        let main: HTML = """
            \(notice)
            <div class="page-head"><div><h1 id="record-title">\(title)</h1><p class="meta">\(t.label(entity.label)) · \(record.number)</p></div>
            <div class="actions">\(actions)</div></div>
            <div class="record">
            <div class="stack"><section class="card" aria-labelledby="fields-heading"><h2 id="fields-heading">\(t("record.details"))</h2><dl class="fields" id="record-fields"\(inline)>\(rows)</dl></section>
            \(try await RelatedLists(services: services).html(entity: entity, id: id, viewer: viewer))</div>
            <section id="timeline" class="card" aria-labelledby="timeline-heading"><h2 id="timeline-heading">\(t("record.timeline"))</h2>
            \(activityLinks(entity: entity, id: id, base: base, viewer: viewer))
            \(noteForm(base: base, viewer: viewer))
            \(try await TimelineView(services: services).items(timeline.items, recordID: id, viewer: viewer))
            </section>
            </div>
            """
        return try await frame.render(viewer, title: title, main: main)
    }

    /// Quick entry of a call, task or meeting about this record (the activity form, prefilled,
    /// brings the person back here).
    func activityLinks(entity: EntityDefinition, id: UUID, base: String, viewer: Viewer) -> HTML {
        guard viewer.scope.may(.create, on: "activities"), entity.pluralName != "activities", entity.pluralName != "notes" else {
            return ""
        }
        let links = HTML(
            joining: ["call", "task", "meeting"].map { kind in
                let href =
                    "/activities/new?type=\(kind)&parent_type=\(entity.name)&parent_id=\(id.lowercased)&return=\(HTML.urlComponent(base))"
                return "<a class=\"button\" id=\"log-\(kind)\" href=\"\(href)\">\(viewer.t("record.log_\(kind)"))</a>"
            })
        return "<div class=\"actions quick-entry\">\(links)</div>"
    }

    /// After a conversion: links to what the lead became.
    func conversionNotice(_ made: String, viewer: Viewer) async throws -> HTML {
        var links: [HTML] = []
        for item in made.split(separator: ",") {
            let parts = item.split(separator: "/").map(String.init)
            guard parts.count == 2, ["contacts", "companies", "deals"].contains(parts[0]), let id = UUID(uuidString: parts[1]) else {
                continue
            }
            guard let title = try await services.records.titles([id], entity: parts[0], scope: viewer.scope)[id] else { continue }
            let entity = try await services.records.visibleEntity(parts[0], scope: viewer.scope)
            links.append("<a class=\"converted-link\" href=\"/\(parts[0])/\(id.lowercased)\">\(viewer.t.label(entity.label)): \(title)</a>")
        }
        return "<div class=\"notice\" role=\"status\">\(viewer.t("convert.done")) \(HTML(joining: links.map { $0 + " " }))</div>"
    }

    func noteForm(base: String, viewer: Viewer) -> HTML {
        guard viewer.scope.may(.create, on: "notes") else { return "" }
        return """
            <form id="note-form" class="quick-entry" method="post" action="\(base)/notes">\(viewer.csrfField)
            <textarea id="note-text" name="body" rows="3" required aria-label="\(viewer.t("record.note"))" placeholder="\(viewer.t("record.note_placeholder"))"></textarea>
            <button id="add-note" class="primary" type="submit">\(viewer.t("record.add_note"))</button>
            </form>
            """
    }

    /// `POST /{entity}/{id}/follow` (`follow=1` or `0`).
    @Sendable func follow(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        if form.value("follow") == "0" {
            try await services.follows.unfollow(entity: name, id: id, scope: viewer.scope)
        } else {
            _ = try await services.follows.follow(entity: name, id: id, scope: viewer.scope)
        }
        return PageResponse.redirect("/\(name)/\(id.lowercased)")
    }

    /// `POST /{entity}/{id}/copy`: a new record with this one's values, opened for editing.
    @Sendable func copy(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let copy = try await services.records.copy(id: id, overrides: nil, entity: name, scope: viewer.scope)
        return PageResponse.redirect("/\(name)/\(copy.id.lowercased)/edit")
    }

    /// `POST /{entity}/{id}/notes`: a note on the record's timeline.
    @Sendable func addNote(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let text = (form.value("body") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty {
            _ = try await services.records.create(
                ["body": .string(text), "parent_type": .string(entity.name), "parent_id": .string(id.lowercased)], entity: "notes",
                scope: viewer.scope)
        }
        return PageResponse.redirect("/\(name)/\(id.lowercased)#timeline")
    }
}
