import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/deals?view=kanban` (a pipeline's stages) and `/leads?view=kanban` (lead statuses): a column
/// per stage with its count and sums per currency, cards that move by dragging or, without a
/// mouse or JavaScript, by the small form each card carries. A stage that needs a reason (lost
/// deals, junk leads) asks for it; a move the person may not make is refused visibly.
struct KanbanPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }
    static let cardsPerColumn = 25

    /// How an entity's board is laid out: which field the columns stand for, and which columns
    /// need a reason and in which field.
    struct Board {
        var field: String
        var reasonField: String
        var columns: [Column]
        var pipeline: Pipeline?
    }

    struct Column {
        var key: String
        var name: String
        var needsReason: Bool
        /// Cards may not be dropped here (a lead becomes converted only through conversion).
        var closedToDrops: Bool
        var count: Int?
        var sums: [String] = []
        var records: [Record] = []
    }

    static func supports(_ entity: String) -> Bool { entity == "deals" || entity == "leads" }

    func show(_ request: Request, context: AppContext, entity name: String) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        let entity = try await services.records.visibleEntity(name, scope: viewer.scope)
        let parameters = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })
        var board = try await layout(
            name, entity: entity, pipelineID: parameters["pipeline"].flatMap(UUID.init(uuidString:)), viewer: viewer)
        for index in board.columns.indices {
            var items: [(String, String)] = [
                (board.field, board.columns[index].key), ("sort", "-updated_at"), ("limit", String(Self.cardsPerColumn)),
            ]
            if let pipeline = board.pipeline { items.append(("pipeline_id", pipeline.id.lowercased)) }
            var query = try ListQueryParser.parse(items, for: entity).get()
            query.includeCount = board.columns[index].count == nil
            let page = try await services.records.list(query, entity: name, scope: viewer.scope)
            board.columns[index].records = page.records
            if let total = page.total { board.columns[index].count = total }
        }
        let fields = ["amount", "company_id", "contact_id", "owner_id", "company_name", "phone", "email"].compactMap {
            entity.field(named: $0)
        }
        let display = try await frame.displayContext(for: board.columns.flatMap(\.records), fields: fields, viewer: viewer)
        let reasonOptions = entity.field(named: board.reasonField)?.options ?? []
        let mayEdit = viewer.scope.may(.edit, on: name)
        let columns = HTML(
            joining: board.columns.map { column in
                self.column(
                    column, board: board, entity: entity, fields: fields, display: display, reasons: reasonOptions, mayEdit: mayEdit,
                    viewer: viewer)
            })
        let pipelines = try await pipelineSwitch(board, viewer: viewer)
        let main: HTML = """
            <div class="page-head"><h1>\(t.label(entity.pluralLabel))</h1>
            <div class="actions">\(pipelines)<a class="button" href="/\(name)">\(t("kanban.as_list"))</a>\(viewer.scope.may(.create, on: name) ? "<a class=\"button primary\" href=\"/\(name)/new\">\(t("list.new"))</a>" as HTML : "")</div></div>
            <div class="form-error" role="alert" id="kanban-error" hidden></div>
            <div class="kanban" id="kanban" data-entity="\(name)" data-field="\(board.field)" data-reason-field="\(board.reasonField)" data-forbidden="\(t("kanban.forbidden"))" data-failed="\(t("kanban.failed"))" data-closed="\(t("kanban.closed"))">\(columns)</div>
            \(reasonDialog(reasonOptions, field: board.reasonField, viewer: viewer))
            """
        return try await frame.render(viewer, title: t.label(entity.pluralLabel), main: main)
    }

    func layout(_ name: String, entity: EntityDefinition, pipelineID: UUID?, viewer: Viewer) async throws -> Board {
        let t = viewer.t
        if name == "deals" {
            let pipelines = try await services.pipelines.list(scope: viewer.scope)
            guard let pipeline = pipelines.first(where: { $0.id == pipelineID }) ?? pipelines.first(where: \.isDefault) ?? pipelines.first
            else { throw CRMError.notFound("there is no pipeline") }
            let report = try await services.funnel.funnel(FunnelQuery(pipelineID: pipeline.id), scope: viewer.scope)
            var stats: [String: FunnelReport.Figures] = [:]
            for stage in report.stages { stats[stage.key] = stage.current }
            for stage in pipeline.stages where stage.kind != .open { stats[stage.key] = stage.kind == .won ? report.won : report.lost }
            let columns = pipeline.stages.map { stage in
                Column(
                    key: stage.key, name: t.label(stage.name), needsReason: stage.kind == .lost, closedToDrops: false,
                    count: stats[stage.key]?.count, sums: Self.sums(stats[stage.key]?.sums ?? [:], format: viewer.format))
            }
            return Board(field: "stage", reasonField: "loss_reason", columns: columns, pipeline: pipeline)
        }
        let status = try entity.field(named: "status").unwrapped()
        // One grouped count for every column.
        let counts = try await services.records.counts(by: "status", ListQuery(), entity: name, scope: viewer.scope)
        let columns = status.options.map { option in
            Column(
                key: option.value, name: t.label(option.label), needsReason: option.value == "junk",
                closedToDrops: option.value == "converted", count: counts[option.value] ?? 0)
        }
        return Board(field: "status", reasonField: "junk_reason", columns: columns, pipeline: nil)
    }

    /// Sums per currency (millionths) as the person reads money.
    static func sums(_ sums: [String: Int64], format: LocaleFormat) -> [String] {
        sums.sorted { $0.key < $1.key }.map { format.money(Money(micros: $0.value, currency: $0.key)) }
    }

    func pipelineSwitch(_ board: Board, viewer: Viewer) async throws -> HTML {
        guard let current = board.pipeline else { return "" }
        let pipelines = try await services.pipelines.list(scope: viewer.scope)
        guard pipelines.count > 1 else { return "" }
        let options = HTML(
            joining: pipelines.map { pipeline in
                "<option value=\"\(pipeline.id.lowercased)\"\(flag: "selected", pipeline.id == current.id)>\(viewer.t.label(pipeline.name))</option>"
            })
        return """
            <form method="get" action="/deals" class="actions"><input type="hidden" name="view" value="kanban">
            <select name="pipeline" aria-label="\(viewer.t("kanban.pipeline"))">\(options)</select><button type="submit">\(viewer.t("kanban.show"))</button></form>
            """
    }

    func column(
        _ column: Column, board: Board, entity: EntityDefinition, fields: [FieldDefinition], display: DisplayContext,
        reasons: [ChoiceOption], mayEdit: Bool, viewer: Viewer
    ) -> HTML {
        let t = viewer.t
        let cards = HTML(
            joining: column.records.map { record in
                card(
                    record, board: board, current: column.key, entity: entity, fields: fields, display: display, mayEdit: mayEdit,
                    viewer: viewer)
            })
        let more: HTML =
            (column.count ?? 0) > column.records.count
            ? "<a class=\"meta\" href=\"/\(entity.pluralName)?\(board.field)=\(HTML.urlComponent(column.key))\">\(t("kanban.more", viewer.format.integer(Int64((column.count ?? 0) - column.records.count))))</a>"
            : ""
        return """
            <section class="kanban-column" data-key="\(column.key)" data-needs-reason="\(column.needsReason ? "true" : "false")" data-closed="\(column.closedToDrops ? "true" : "false")" aria-label="\(column.name)">
            <header><h2>\(column.name)</h2><span class="kanban-count" data-count="\(column.count ?? 0)">\(viewer.format.integer(Int64(column.count ?? 0)))</span>
            \(column.sums.isEmpty ? "" : "<div class=\"meta\">\(column.sums.joined(separator: " · "))</div>" as HTML)</header>
            <div class="kanban-cards">\(cards)</div>\(more)
            </section>
            """
    }

    func card(
        _ record: Record, board: Board, current: String, entity: EntityDefinition, fields: [FieldDefinition], display: DisplayContext,
        mayEdit: Bool, viewer: Viewer
    ) -> HTML {
        let t = viewer.t
        let id = record.id.lowercased
        let details = HTML(
            joining: fields.compactMap { field -> HTML? in
                let value = record.value(of: field.name)
                guard !value.isNull else { return nil }
                return "<div>\(FieldDisplay.html(value, field: field, viewer: viewer, context: display))</div>"
            })
        var mover: HTML = ""
        if mayEdit {
            let options = HTML(
                joining: board.columns.filter { !$0.closedToDrops }.map { column in
                    "<option value=\"\(column.key)\"\(flag: "selected", column.key == current)>\(column.name)</option>"
                })
            mover = """
                <form class="kanban-move" method="post" action="/\(entity.pluralName)/\(id)/move">\(viewer.csrfField)
                <select name="to" aria-label="\(t("kanban.move_to"))">\(options)</select><button type="submit">\(t("kanban.move"))</button></form>
                """
        }
        return """
            <article class="kanban-card" draggable="\(mayEdit ? "true" : "false")" data-id="\(id)" data-version="\(record.version)">
            <a href="/\(entity.pluralName)/\(id)">\(record.title(in: entity))</a>
            <div class="meta">\(details)</div>
            \(mover)
            </article>
            """
    }

    func reasonDialog(_ options: [ChoiceOption], field: String, viewer: Viewer) -> HTML {
        let choices = HTML(joining: options.map { "<option value=\"\($0.value)\">\(viewer.t.label($0.label))</option>" })
        return """
            <dialog id="reason-dialog" aria-labelledby="reason-title"><form method="dialog">
            <h2 id="reason-title">\(viewer.t("kanban.reason_title"))</h2>
            <div class="field"><label for="reason-choice">\(viewer.t("kanban.reason"))</label><select id="reason-choice" name="\(field)">\(choices)</select></div>
            <div class="form-actions"><button class="primary" value="ok">\(viewer.t("kanban.move"))</button><button value="cancel">\(viewer.t("form.cancel"))</button></div>
            </form></dialog>
            """
    }

    /// `POST /{entity}/{id}/move` (`to`, and the reason where the stage needs one): the
    /// keyboard and no-script way to move a card.
    @Sendable func move(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = try context.parameters.require("entity")
        guard Self.supports(name) else { throw CRMError.notFound("no board for \(name)") }
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: name)
        let field = name == "deals" ? "stage" : "status"
        let reasonField = name == "deals" ? "loss_reason" : "junk_reason"
        var body = JSONObject()
        body[field] = .string(form.value("to") ?? "")
        if let reason = form.value(reasonField), !reason.isEmpty { body[reasonField] = .string(reason) }
        do {
            _ = try await services.records.update(.object(body), id: id, expectedVersion: nil, entity: name, scope: viewer.scope)
        } catch CRMError.validation(let issues) where issues.contains(where: { $0.field == reasonField && $0.code == "required" }) {
            // A lost or junk stage without its reason: the record's form, with the stage chosen,
            // asks for it.
            return PageResponse.redirect("/\(name)/\(id.lowercased)/edit?\(field)=\(HTML.urlComponent(form.value("to") ?? ""))")
        }
        return PageResponse.redirect("/\(name)?view=kanban")
    }
}

extension Optional {
    /// The value, or a not-found error (a definition the code relies on is missing).
    func unwrapped() throws -> Wrapped {
        guard let value = self else { throw CRMError.notFound("a definition this page needs is missing") }
        return value
    }
}
