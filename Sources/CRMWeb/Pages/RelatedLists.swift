import CRMCore
import CRMServices
import Foundation

/// A record's related lists: the records that point at it through a reference field (a
/// company's contacts and deals, a contact's deals — custom entities' references included) and
/// the records linked to it (a contact's companies, a deal's contacts with their roles).
struct RelatedLists: Sendable {
    let services: Services
    static let limit = 10

    /// Reference columns with an index leading with them (migrations 0002, 0005, 0014).
    static let indexedReferences: Set<String> = [
        "contacts.company_id", "contacts.reports_to_id", "deals.company_id", "deals.contact_id", "companies.parent_id",
        "bank_accounts.company_id",
    ]

    struct Section {
        var key: String
        var label: String
        var rows: [(id: UUID, entity: String, title: String, note: String?)] = []
        var allLink: String?
    }

    func html(entity: EntityDefinition, id: UUID, viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        let entities = try await services.metadata.entities(scope: viewer.scope)
        var sections: [Section] = []
        // Records whose reference fields point here (activities and notes are on the timeline).
        for other in entities.values.sorted(by: { $0.pluralName < $1.pluralName })
        where !["activities", "notes"].contains(other.pluralName) && viewer.scope.may(.read, on: other.pluralName) {
            let visible = other.hiding(viewer.scope.hiddenFields(other.pluralName))
            let pointing = visible.fields.filter { $0.type == .reference && $0.referenceEntity == entity.name && !$0.isSystem }
            for field in pointing {
                // Only references an index serves are listed on the page; the others (custom
                // reference fields live in the JSON document) get a link to the filtered list,
                // which runs when someone asks for it, not on every page view.
                guard Self.indexedReferences.contains("\(other.pluralName).\(field.name)") else {
                    var section = Section(
                        key: "\(other.pluralName).\(field.name)", label: "\(t.label(other.pluralLabel)) · \(t.label(field.label))")
                    section.allLink = "/\(other.pluralName)?\(field.name)=\(id.lowercased)"
                    sections.append(section)
                    continue
                }
                var query = try ListQueryParser.parse(
                    [(field.name, id.lowercased), ("limit", String(Self.limit)), ("sort", "-created_at")], for: visible
                ).get()
                query.includeCount = false
                let page = try await services.records.list(query, entity: other.pluralName, scope: viewer.scope)
                let label =
                    pointing.count > 1 || other.name == entity.name
                    ? "\(t.label(other.pluralLabel)) · \(t.label(field.label))" : t.label(other.pluralLabel)
                var section = Section(key: "\(other.pluralName).\(field.name)", label: label)
                section.rows = page.records.map { ($0.id, other.pluralName, $0.title(in: visible), nil) }
                if page.nextCursor != nil { section.allLink = "/\(other.pluralName)?\(field.name)=\(id.lowercased)" }
                sections.append(section)
            }
        }
        // Linked records (many to many, with roles).
        for endpoint in RelationEndpoint.all where endpoint.entity == entity.pluralName {
            let items = try await services.relations.list(entity: entity.pluralName, id: id, relation: endpoint.name, scope: viewer.scope)
            guard !items.isEmpty else { continue }
            let rows: [(UUID, String, String, String?)] = items.compactMap { item in
                if let record = item.record {
                    return (record.id, record.entity.pluralName, record.record.title(in: record.entity), item.link.role)
                }
                if let user = item.user { return (user.id, "users", user.name, item.link.role) }
                return nil
            }
            let target = entities[endpoint.name].map { t.label($0.pluralLabel) } ?? t("related.\(endpoint.name)")
            // Joined with a reference list of the same records when there is one.
            if let index = sections.firstIndex(where: { $0.key.hasPrefix("\(endpoint.name).") }) {
                for row in rows where !sections[index].rows.contains(where: { $0.id == row.0 }) { sections[index].rows.append(row) }
            } else {
                sections.append(Section(key: "\(endpoint.name).links", label: target, rows: rows.map { ($0.0, $0.1, $0.2, $0.3) }))
            }
        }
        let shown = sections.filter { !$0.rows.isEmpty || $0.allLink != nil }
        guard !shown.isEmpty else { return "" }
        let blocks = HTML(
            joining: shown.map { section in
                let rows = HTML(
                    joining: section.rows.map { row in
                        let link: HTML =
                            row.entity == "users" ? "\(row.title)" : "<a href=\"/\(row.entity)/\(row.id.lowercased)\">\(row.title)</a>"
                        return "<li>\(link)\(row.note.map { " <span class=\"meta\">\($0)</span>" as HTML } ?? "")</li>"
                    })
                let all: HTML = section.allLink.map { "<a class=\"meta\" href=\"\($0)\">\(t("related.all"))</a>" } ?? ""
                return
                    "<div class=\"related\" data-related=\"\(section.key)\"><h3>\(section.label)</h3><ul class=\"list-plain\">\(rows)</ul>\(all)</div>"
            })
        return
            "<section class=\"card\" id=\"related\" aria-labelledby=\"related-heading\"><h2 id=\"related-heading\">\(t("related.title"))</h2>\(blocks)</section>"
    }
}
