import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/{entity}/new` and `/{entity}/{id}/edit`: forms generated from the entity's fields. A
/// refused form comes back with everything typed and each message beside its field; an edit
/// that meets a newer version says so and shows what changed meanwhile.
struct RecordFormPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    @Sendable func newForm(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let name = try context.parameters.require("entity")
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        guard viewer.scope.may(.create, on: name) else { throw CRMError.forbidden("you may not create \(name)") }
        var form = RecordForm()
        // Prefilled from the link (`/activities/new?kind=call`, `?parent_type=contact&parent_id=…`).
        for (key, value) in try APIResponse.queryItems(request) {
            if key == "return" { form.values["_return"] = [PageResponse.localPath(value)] }
            if entity.field(named: key == "kind" ? "type" : key) != nil { form.values[key == "kind" ? "type" : key] = [value] }
        }
        if form.values["owner_id"] == nil, let user = viewer.scope.userID { form.values["owner_id"] = [user.lowercased] }
        return try await page(viewer, entity: entity, form: form, issues: [], recordID: nil, version: nil)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let submitted = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let form = RecordForm(submitted: submitted)
        let body = form.body(entity: entity, readOnly: viewer.scope.readOnlyFields(name), creating: true, format: viewer.format)
        do {
            let record = try await services.records.create(body, entity: name, scope: viewer.scope)
            // Made from another record's page (a call logged on a contact): back there.
            if let back = submitted.value("_return"), !back.isEmpty {
                return PageResponse.redirect(PageResponse.localPath(back) + "#timeline")
            }
            // People and companies: say at once when likely duplicates exist (the record page lists them).
            if DuplicateWarning.checked.contains(name),
                try await services.duplicates.count(of: record, scope: viewer.scope, limit: 1) > 0
            {
                return PageResponse.redirect("/\(name)/\(record.id.lowercased)?duplicates=1")
            }
            return PageResponse.redirect("/\(name)/\(record.id.lowercased)")
        } catch CRMError.validation(let issues) {
            return try await page(
                viewer, entity: entity, form: form, issues: issues, recordID: nil, version: nil, status: .unprocessableContent)
        }
    }

    @Sendable func editForm(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let record = try await services.records.get(id: id, entity: name, scope: viewer.scope).record
        var form = RecordForm(record: record, entity: entity, format: viewer.format)
        // A value proposed by the link (`?stage=lost` from the board) over the stored one.
        for (key, value) in try APIResponse.queryItems(request) where entity.field(named: key).map({ !$0.isSystem }) ?? false {
            form.values[key] = [value]
        }
        return try await page(viewer, entity: entity, form: form, issues: [], recordID: id, version: record.version)
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let submitted = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let form = RecordForm(submitted: submitted)
        let version = submitted.value("_version").flatMap { Int64($0) }
        let body = form.body(entity: entity, readOnly: viewer.scope.readOnlyFields(name), creating: false, format: viewer.format)
        do {
            _ = try await services.records.update(body, id: id, expectedVersion: version, entity: name, scope: viewer.scope)
            return PageResponse.redirect("/\(name)/\(id.lowercased)?saved=1")
        } catch CRMError.validation(let issues) {
            return try await page(
                viewer, entity: entity, form: form, issues: issues, recordID: id, version: version, status: .unprocessableContent)
        } catch CRMError.versionConflict {
            // Someone saved first: show their values beside the person's, keep what was typed,
            // and let a second save (against the new version) decide.
            let current = try await services.records.get(id: id, entity: name, scope: viewer.scope).record
            return try await page(
                viewer, entity: entity, form: form, issues: [], recordID: id, version: current.version, conflict: current,
                status: .conflict)
        }
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        try await services.records.delete(id: id, entity: name, scope: viewer.scope)
        return PageResponse.redirect("/\(name)")
    }

    func page(
        _ viewer: Viewer, entity: EntityDefinition, form: RecordForm, issues: [ValidationIssue], recordID: UUID?, version: Int64?,
        conflict: Record? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let t = viewer.t
        let fields = RecordForm.editableFields(entity)
        var options = FieldControl.Options()
        if fields.contains(where: { $0.type == .user }) {
            options.users = try await frame.users(viewer).filter(\.active).map { ($0.id, $0.name) }
        }
        if fields.contains(where: { $0.name == "stage" }) { options.pipelines = try await services.pipelines.list(scope: viewer.scope) }
        var references: [String: [UUID]] = [:]
        for field in fields where field.type == .reference {
            if let id = UUID(uuidString: form.first(field.name)), let target = field.referenceEntity {
                references[target, default: []].append(id)
            }
        }
        let entities = try await services.metadata.entities(scope: viewer.scope)
        for (target, ids) in references {
            guard let plural = entities.values.first(where: { $0.name == target })?.pluralName, viewer.scope.may(.read, on: plural) else {
                continue
            }
            for (id, title) in try await services.records.titles(ids, entity: plural, scope: viewer.scope) { options.titles[id] = title }
        }
        let readOnly = viewer.scope.readOnlyFields(entity.pluralName)
        let controls = HTML(
            joining: fields.map { field in
                let issue = issues.first { $0.field == field.name || $0.field.hasPrefix("\(field.name).") }
                return FieldControl.html(
                    field, form: form, error: issue.map { FormErrors.message($0, t) }, readOnly: readOnly.contains(field.name),
                    viewer: viewer, options: options)
            })
        let unplaced = issues.filter { issue in !fields.contains { issue.field == $0.name || issue.field.hasPrefix("\($0.name).") } }
        var summary: HTML = ""
        if !issues.isEmpty {
            summary = """
                <div class="form-error" role="alert" id="form-errors">\(t("form.has_errors"))\(each: unplaced.map { "<div>\(FormErrors.message($0, t))</div>" as HTML })</div>
                """
        }
        if let conflict {
            let display = try await frame.displayContext(for: [conflict], fields: fields, viewer: viewer)
            let theirs = HTML(
                joining: fields.compactMap { field -> HTML? in
                    let stored = conflict.value(of: field.name)
                    guard let mine = form.json(field, format: viewer.format), mine != stored.json else { return nil }
                    return "<li>\(t.label(field.label)): \(FieldDisplay.html(stored, field: field, viewer: viewer, context: display))</li>"
                })
            summary += """
                <div class="form-error" role="alert" id="conflict">\(t("form.conflict"))<ul>\(theirs)</ul>\(t("form.conflict_choice"))</div>
                """
        }
        let action = recordID.map { "/\(entity.pluralName)/\($0.lowercased)/edit" } ?? "/\(entity.pluralName)"
        let cancel = recordID.map { "/\(entity.pluralName)/\($0.lowercased)" } ?? "/\(entity.pluralName)"
        let title = recordID == nil ? t("form.new_title", t.label(entity.label)) : t("form.edit_title", t.label(entity.label))
        let main: HTML = """
            <div class="page-head"><h1>\(title)</h1></div>
            \(summary)
            <form id="record-form" class="card" method="post" action="\(action)" novalidate>\(viewer.csrfField)
            \(version.map { "<input type=\"hidden\" name=\"_version\" value=\"\($0)\">" as HTML } ?? "")
            \(form.values["_return"]?.first.map { "<input type=\"hidden\" name=\"_return\" value=\"\($0)\">" as HTML } ?? "")
            <div class="form-grid">\(controls)</div>
            <div class="form-actions"><button id="save" class="primary" type="submit">\(t("form.save"))</button><a class="button" href="\(cancel)">\(t("form.cancel"))</a></div>
            </form>
            """
        return try await frame.render(viewer, title: title, status: status, main: main)
    }
}
