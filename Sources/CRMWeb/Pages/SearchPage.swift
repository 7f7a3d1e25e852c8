import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/search?q=`: the global search as a page (what the search box shows as one types, and what
/// it does with JavaScript off).
struct SearchPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        let text = String((Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })["q"] ?? "").prefix(200))
        let hits =
            text.trimmingCharacters(in: .whitespaces).isEmpty
            ? [] : try await services.search.search(text, entities: nil, limit: 50, scope: viewer.scope)
        let entities = try await services.metadata.entities(scope: viewer.scope)
        let results: HTML =
            hits.isEmpty
            ? "<p class=\"empty\">\(text.isEmpty ? t("search.prompt") : t("search.nothing"))</p>"
            : "<ul class=\"list-plain\" id=\"search-page-results\">\(each: hits.map { hit in "<li><a class=\"search-hit\" href=\"/\(hit.entity)/\(hit.id.lowercased)\">\(hit.title)</a><span class=\"hit-entity\">\(entities[hit.entity].map { t.label($0.label) } ?? hit.entity)</span>\(hit.subtitle.map { "<span class=\"hit-subtitle\">\($0)</span>" as HTML } ?? "")</li>" as HTML })</ul>"
        let main: HTML = """
            <div class="page-head"><h1>\(t("search.title"))</h1></div>
            <form method="get" action="/search" class="filters"><div class="field"><label for="search-page-q">\(t("search.label"))</label><input id="search-page-q" name="q" value="\(text)"></div><button type="submit">\(t("search.submit"))</button></form>
            \(hits.isEmpty ? "" : "<p class=\"meta\">\(t.plural("search.found", hits.count))</p>" as HTML)
            <div class="card">\(results)</div>
            """
        return try await frame.render(viewer, title: t("search.title"), main: main)
    }
}
