import CRMCore
import CRMServices
import Foundation

/// Right after a lead, contact or company is created: the likely duplicates found (same phone,
/// e-mail, tax id or name), each a link with why it matched.
struct DuplicateWarning: Sendable {
    let services: Services
    static let checked: Set<String> = ["leads", "contacts", "companies"]

    func html(entity name: String, id: UUID, viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        let matches = try await services.duplicates.duplicates(of: id, entity: name, scope: viewer.scope, limit: 10)
        guard !matches.isEmpty else { return "" }
        let items = HTML(
            joining: matches.map { match in
                let reasons = match.reasons.map { reason in
                    let key = "duplicates.reason.\(reason)"
                    return t(key) == key ? reason : t(key)
                }.joined(separator: ", ")
                let entity = match.record.entity
                return
                    "<li><a class=\"duplicate-link\" href=\"/\(entity.pluralName)/\(match.record.id.lowercased)\">\(match.record.record.title(in: entity))</a> <span class=\"meta\">\(reasons)</span></li>"
            })
        return """
            <div class="form-error" role="alert" id="duplicate-warning">\(t.plural("duplicates.found", matches.count))<ul class="list-plain">\(items)</ul></div>
            """
    }
}
