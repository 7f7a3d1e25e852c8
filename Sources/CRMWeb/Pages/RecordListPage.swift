import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/{entity}`: a dense table of the records the person may read — columns of their choice,
/// sort by a header, filters in the API's own syntax (`last_name[starts]=Ив`), keyset paging.
struct RecordListPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    /// Columns shown when the person has not chosen (those the entity lacks are skipped).
    static let defaultColumns: [String: [String]] = [
        "leads": ["last_name", "first_name", "company_name", "status", "source", "phone", "email", "owner_id", "created_at"],
        "contacts": ["last_name", "first_name", "company_id", "phone_mobile", "email", "owner_id", "created_at"],
        "companies": ["name", "industry", "phone", "email", "inn", "owner_id", "created_at"],
        "deals": ["title", "stage", "amount", "company_id", "expected_close_date", "owner_id"],
        "activities": ["subject", "type", "due_at", "start_at", "parent_id", "owner_id", "completed_at"],
    ]
    /// Parameters of the page itself; the rest is the list query.
    static let pageParameters: Set<String> = ["columns", "view", "bulk", "bulk_done", "bulk_refused", "view_error"]

    static func columns(_ entity: EntityDefinition, requested: String?) -> [FieldDefinition] {
        let names =
            requested.map { $0.split(separator: ",").map(String.init) }
            ?? defaultColumns[entity.pluralName]
            ?? (entity.titleFields + entity.fields.filter { $0.type != .longText && !$0.isSystem }.prefix(5).map(\.name) + ["created_at"])
        var seen = Set<String>()
        return names.compactMap { name in
            guard seen.insert(name).inserted, let field = entity.field(named: name), field.name != "id" else { return nil }
            return field
        }.prefix(12).map { $0 }
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        let name = try context.parameters.require("entity")
        let items = try APIResponse.queryItems(request)
        if KanbanPage.supports(name), items.contains(where: { $0 == ("view", "kanban") }) {
            return try await KanbanPage(services: services).show(request, context: context, entity: name)
        }
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let pageItems = items.filter { Self.pageParameters.contains($0.0) }
        var listItems = items.filter { !Self.pageParameters.contains($0.0) && $0.0 != "count" }
        if !listItems.contains(where: { $0.0 == "limit" }) { listItems.append(("limit", "50")) }
        let columns = Self.columns(entity, requested: pageItems.last { $0.0 == "columns" }?.1)
        let parsed = ListQueryParser.parse(
            PeriodFilter.expand(listItems, entity: entity, format: viewer.format) + [("count", "true")], for: entity)
        var query: ListQuery
        var problems: [ValidationIssue] = []
        switch parsed {
        case .success(let value): query = value
        case .failure(.validation(let issues)):
            problems = issues
            query = try ListQueryParser.parse([("limit", "50"), ("count", "true")], for: entity).get()
        case .failure(let error): throw error
        }
        // Counting every match costs a scan on big tables: only the first page of a filtered list counts.
        query.includeCount = query.after == nil && !query.conditions.isEmpty
        // Only the columns shown (and the title) are read.
        query.fields = Set(columns.map(\.name) + entity.titleFields)
        let page = try await services.records.list(query, entity: name, scope: viewer.scope)
        let display = try await frame.displayContext(for: page.records, fields: columns, viewer: viewer)
        let title = t.label(entity.pluralLabel)
        let filters = query.conditions
        let tools = ListTools(services: services)
        let here = "/\(name)?\(Self.queryString(items, removing: ["bulk", "bulk_done", "bulk_refused", "view_error"]))"
        let bulk = try await tools.bulkControls(entity: entity, returnTo: here, viewer: viewer)
        let views = try await tools.viewsBar(
            entity: entity, items: items.filter { !["bulk", "bulk_done", "bulk_refused", "view_error"].contains($0.0) }, columns: columns,
            viewer: viewer)
        let notice = Self.notice(Dictionary(items, uniquingKeysWith: { $1 }), t: t)
        let main: HTML = """
            <div class="page-head"><h1>\(title)</h1>
            <div class="actions">\(KanbanPage.supports(name) ? "<a class=\"button\" id=\"as-kanban\" href=\"/\(name)?view=kanban\">\(t("list.as_kanban"))</a>" as HTML : "")\(viewer.scope.may(.create, on: name) ? "<a class=\"button primary\" id=\"new-record\" href=\"/\(name)/new\">\(t("list.new"))</a>" as HTML : "")</div></div>
            \(notice)
            \(views)
            \(problems.isEmpty ? "" : "<div class=\"form-error\" role=\"alert\">\(each: problems.map { "<div>\(FormErrors.message($0, t)) (\($0.field))</div>" as HTML })</div>" as HTML)
            \(filterPanel(entity, filters: filters, items: items, viewer: viewer))
            \(page.total.map { "<p class=\"meta\" id=\"total\">\(t.plural("list.found", $0))</p>" as HTML } ?? "")
            \(page.records.isEmpty ? "" : bulk)
            \(table(page.records, columns: columns, entity: entity, query: query, items: items, viewer: viewer, display: display, selectable: !bulk.text.isEmpty))
            <div class="pager">
            <span>\(query.after != nil ? "<a href=\"/\(name)?\(Self.queryString(items, removing: ["cursor"]))\">\(t("list.first_page"))</a>" as HTML : "")</span>
            <span>\(page.nextCursor.map { "<a id=\"next-page\" rel=\"next\" href=\"/\(name)?\(Self.queryString(items, removing: ["cursor"], adding: [("cursor", $0)]))\">\(t("list.next_page"))</a>" as HTML } ?? "")</span>
            </div>
            """
        return try await frame.render(viewer, title: title, main: main)
    }

    /// What the last bulk action or view save did, from the redirect's parameters.
    static func notice(_ query: [String: String], t: Translator) -> HTML {
        if let done = query["bulk_done"].flatMap(Int.init) {
            let refused = query["bulk_refused"].flatMap(Int.init) ?? 0
            let text = t.plural("bulk.done", done) + (refused > 0 ? " " + t.plural("bulk.refused", refused) : "")
            return "<div class=\"notice\" role=\"status\" id=\"bulk-result\">\(text)</div>"
        }
        if let problem = query["bulk"] {
            return "<div class=\"form-error\" role=\"alert\" id=\"bulk-result\">\(t("bulk.problem.\(problem)"))</div>"
        }
        if query["view_error"] != nil { return "<div class=\"form-error\" role=\"alert\">\(t("views.error"))</div>" }
        return ""
    }

    func table(
        _ records: [Record], columns: [FieldDefinition], entity: EntityDefinition, query: ListQuery, items: [(String, String)],
        viewer: Viewer, display: DisplayContext, selectable: Bool
    ) -> HTML {
        let t = viewer.t
        guard !records.isEmpty else { return "<div class=\"table-wrap\"><p class=\"empty\">\(t("list.empty"))</p></div>" }
        let current = query.sort.first
        let headers = HTML(
            joining: columns.map { field -> HTML in
                let label = t.label(field.label)
                guard field.isSortable else { return "<th scope=\"col\">\(label)</th>" }
                let sorted = current?.field.name == field.name
                let descending = sorted && (current?.descending ?? false)
                let next = sorted && !descending ? "-\(field.name)" : field.name
                let aria: HTML = sorted ? " aria-sort=\"\(descending ? "descending" : "ascending")\"" : ""
                let arrow = sorted ? (descending ? " ↓" : " ↑") : ""
                let link = "/\(entity.pluralName)?\(Self.queryString(items, removing: ["sort", "cursor"], adding: [("sort", next)]))"
                return "<th scope=\"col\"\(aria)><a class=\"sort\" href=\"\(link)\">\(label)\(arrow)</a></th>"
            })
        let rows = HTML(
            joining: records.map { record -> HTML in
                let cells = HTML(
                    joining: columns.enumerated().map { index, field -> HTML in
                        let value = FieldDisplay.html(record.value(of: field.name), field: field, viewer: viewer, context: display)
                        if index == 0 {
                            let text: HTML = value.text.isEmpty ? "\(record.title(in: entity))" : value
                            let id = record.id.lowercased
                            return "<td><a class=\"record-link\" id=\"t-\(id)\" href=\"/\(entity.pluralName)/\(id)\">\(text)</a></td>"
                        }
                        return FieldDisplay.isNumeric(field.type) ? "<td class=\"number\">\(value)</td>" : "<td>\(value)</td>"
                    })
                let pick: HTML =
                    selectable
                    ? "<td class=\"pick\"><input type=\"checkbox\" form=\"bulk-form\" name=\"ids\" value=\"\(record.id.lowercased)\" aria-labelledby=\"pick-label t-\(record.id.lowercased)\"></td>"
                    : ""
                return "<tr data-id=\"\(record.id.lowercased)\">\(pick)\(cells)</tr>"
            })
        return """
            <div class="table-wrap"><table id="records"><caption class="visually-hidden">\(t.label(entity.pluralLabel))</caption>
            <thead><tr>\(selectable ? "<th scope=\"col\" class=\"pick\"><span class=\"visually-hidden\" id=\"pick-label\">\(t("bulk.pick"))</span><input type=\"checkbox\" id=\"pick-all\" aria-label=\"\(t("bulk.pick_all"))\"></th>" as HTML : "")\(headers)</tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    /// The filters in force as chips (each with a link that drops it) and a form to add one.
    func filterPanel(_ entity: EntityDefinition, filters: [FilterCondition], items: [(String, String)], viewer: Viewer) -> HTML {
        let t = viewer.t
        let chips = HTML(
            joining: items.enumerated().compactMap { index, item -> HTML? in
                guard
                    !["sort", "cursor", "limit", "columns", "count", "view", "bulk", "bulk_done", "bulk_refused", "view_error"].contains(
                        item.0)
                else {
                    return nil
                }
                let remaining = items.enumerated().filter { $0.offset != index }.map(\.element)
                let label = item.0 == "q" ? t("list.text") : Self.conditionLabel(item.0, entity: entity, t: t)
                let shown = item.0.hasSuffix("[period]") ? t("period.\(item.1)") : item.1
                let link = "/\(entity.pluralName)?\(Self.queryString(remaining, removing: ["cursor"]))"
                return "<span class=\"chip\">\(label): \(shown) <a href=\"\(link)\" aria-label=\"\(t("list.remove_filter"))\">×</a></span>"
            })
        let fields = entity.allFields.filter { !$0.type.filterOperators.isEmpty && $0.name != "id" && $0.type != .recurrence }
        let fieldOptions: HTML = "\(each: fields.map { "<option value=\"\($0.name)\">\(t.label($0.label))</option>" as HTML })"
        let periods = HTML(joining: PeriodFilter.names.map { "<option value=\"period:\($0)\">\(t("period.\($0)"))</option>" })
        let plain = HTML(
            joining: ["eq", "starts", "contains", "ne", "gt", "lt", "empty", "not_empty"].map {
                "<option value=\"\($0)\">\(t("op.\($0)"))</option>"
            })
        let operators: HTML = "\(plain)<optgroup label=\"\(t("period.label"))\">\(periods)</optgroup>"
        let kept: HTML =
            "\(each: items.filter { !["cursor"].contains($0.0) }.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML })"
        return """
            <form class="filters" id="filter-form" method="get" action="/\(entity.pluralName)/filter">
            \(kept)
            <div class="field"><label for="filter-field">\(t("list.filter_field"))</label><select id="filter-field" name="_field">\(fieldOptions)</select></div>
            <div class="field"><label for="filter-op">\(t("list.filter_op"))</label><select id="filter-op" name="_op">\(operators)</select></div>
            <div class="field"><label for="filter-value">\(t("list.filter_value"))</label><input id="filter-value" name="_value"></div>
            <button type="submit">\(t("list.add_filter"))</button>
            </form>
            \(chips.text.isEmpty ? "" : "<p id=\"active-filters\">\(chips)</p>" as HTML)
            """
    }

    static func conditionLabel(_ key: String, entity: EntityDefinition, t: Translator) -> String {
        let name = key.split(separator: "[").first.map(String.init) ?? key
        let op = key.contains("[") ? String(key.split(separator: "[").last?.dropLast() ?? "") : "eq"
        let label = entity.field(named: name).map { t.label($0.label) } ?? name
        return "\(label) \(t("op.\(op)"))"
    }

    /// `/{entity}/filter?_field=&_op=&_value=&…`: the filter form's target, which turns the
    /// chosen field, operator and value into the list's own `field[op]=value` and goes there.
    @Sendable func addFilter(_ request: Request, context: AppContext) async throws -> Response {
        let name = try context.parameters.require("entity")
        let items = try APIResponse.queryItems(request)
        let field = items.last { $0.0 == "_field" }?.1 ?? ""
        let op = items.last { $0.0 == "_op" }?.1 ?? "eq"
        let value = items.last { $0.0 == "_value" }?.1 ?? ""
        var kept = items.filter { !$0.0.hasPrefix("_") && $0.0 != "cursor" }
        if !field.isEmpty {
            let isFlag = op == "empty" || op == "not_empty"
            if op.hasPrefix("period:") {
                kept.append(("\(field)[period]", String(op.dropFirst("period:".count))))
            } else {
                kept.append((op == "eq" ? field : "\(field)[\(op)]", isFlag ? "true" : value))
            }
        }
        return PageResponse.redirect("/\(HTML.urlComponent(name))?\(Self.queryString(kept, removing: []))")
    }

    static func queryString(_ items: [(String, String)], removing: Set<String>, adding: [(String, String)] = []) -> String {
        (items.filter { !removing.contains($0.0) } + adding).map { "\(HTML.urlComponent($0.0))=\(HTML.urlComponent($0.1))" }
            .joined(separator: "&")
    }
}
