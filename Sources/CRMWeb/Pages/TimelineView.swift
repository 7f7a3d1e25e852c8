import CRMCore
import CRMServices
import Foundation

/// A record's timeline items as a list: who did what and when, notes and activities with their
/// text, field changes with old and new values.
struct TimelineView: Sendable {
    let services: Services

    func items(_ items: [JSONValue], recordID: UUID, viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        guard !items.isEmpty else { return "<p class=\"muted\">\(t("timeline.empty"))</p>" }
        let frame = PageFrame(services: services)
        let users = Dictionary(try await frame.users(viewer).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let entities = try await services.metadata.entities(scope: viewer.scope)
        let display = DisplayContext(userNames: users, stageNames: try await frame.stageNames(viewer))
        let rendered: [HTML] = items.map { item in
            let kind = item["kind"]?.stringValue ?? ""
            let at = item["at"]?.stringValue.flatMap(Timestamps.parse)
            let actor = item["actor_id"]?.stringValue.flatMap(UUID.init(uuidString:)).flatMap { users[$0] }
            let title = item["title"]?.stringValue ?? ""
            let entityName = item["entity"]?.stringValue ?? ""
            let related: Bool = if case .bool(true)? = item["related"] { true } else { false }
            let kindKey = "timeline.kind.\(kind)"
            var body: HTML = ""
            if let record = item["record"] {
                let text = record["body"]?.stringValue ?? record["description"]?.stringValue ?? ""
                if !text.isEmpty { body = "<div class=\"timeline-text\">\(text)</div>" }
            }
            if kind == "field_change", case .object(let changes)? = item["changes"], let entity = entities[entityName] {
                let visible = entity.hiding(viewer.scope.hiddenFields(entityName))
                let lines: [HTML] = changes.compactMap { name, change in
                    guard let field = visible.field(named: name) else { return nil }
                    func shown(_ json: JSONValue?) -> HTML {
                        guard let json, case .success(let value) = field.decode(json), !value.isNull else { return "—" }
                        return FieldDisplay.html(value, field: field, viewer: viewer, context: display)
                    }
                    return "<li>\(t.label(field.label)): \(shown(change["old"])) → \(shown(change["new"]))</li>"
                }
                if !lines.isEmpty { body = "<ul class=\"list-plain\">\(each: lines)</ul>" }
            }
            // A stage change's title is the stage's key: shown by its name, and its link names the deal's entity.
            if kind == "stage_change" { body = "<div>\(t("timeline.stage", display.stageNames[title] ?? title))</div>" }
            let linkText = kind == "stage_change" ? entities[entityName].map { t.label($0.label) } ?? entityName : title
            let recordLink: HTML =
                related || kind == "call" || kind == "task" || kind == "meeting"
                ? " · <a href=\"/\(entityName)/\(item["record_id"]?.stringValue ?? "")\">\(linkText)</a>" : ""
            return """
                <article class="timeline-item"><div class="meta"><strong>\(t(kindKey) == kindKey ? kind : t(kindKey))</strong>\(recordLink) · \(at.map { viewer.format.dateTime($0) } ?? "")\(actor.map { " · \($0)" as HTML } ?? "")</div>
                \(body)</article>
                """
        }
        return "\(each: rendered)"
    }
}
