import CRMCore
import CRMServices
import Foundation

/// The dashboard's other panels: deals expected to close this month, and this month's new
/// leads by source as an SVG chart.
struct DashboardPanels: Sendable {
    let services: Services

    /// The first day of this month and of the next, in the person's time zone (`YYYY-MM-DD`).
    static func month(_ viewer: Viewer, now: Date = Date()) -> (first: String, next: String, start: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = viewer.format.timeZone
        let parts = calendar.dateComponents([.year, .month], from: now)
        let year = parts.year ?? 2026
        let month = parts.month ?? 1
        let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? now
        func day(_ year: Int, _ month: Int) -> String { "\(String(year).leftPadded(to: 4))-\(String(month).leftPadded(to: 2))-01" }
        return (day(year, month), month == 12 ? day(year + 1, 1) : day(year, month + 1), start)
    }

    func dealsClosingThisMonth(_ viewer: Viewer, owners: [UUID]) async throws -> HTML {
        let t = viewer.t
        guard viewer.scope.may(.read, on: "deals"), !owners.isEmpty else { return "" }
        let deals = try await services.records.visibleEntity("deals", scope: viewer.scope)
        let month = Self.month(viewer)
        let query = try ListQueryParser.parse(
            [
                ("owner_id[in]", owners.map(\.lowercased).joined(separator: ",")), ("expected_close_date[gte]", month.first),
                ("expected_close_date[lt]", month.next), ("closed_on[empty]", "true"), ("sort", "expected_close_date"), ("limit", "10"),
            ], for: deals
        ).get()
        let page = try await services.records.list(query, entity: "deals", scope: viewer.scope)
        let amount = deals.field(named: "amount")
        let items = HTML(
            joining: page.records.map { deal in
                let money: HTML =
                    amount.map { FieldDisplay.html(deal.value(of: "amount"), field: $0, viewer: viewer, context: DisplayContext()) } ?? ""
                let day = deal.value(of: "expected_close_date").plainText.map { viewer.format.day($0) } ?? ""
                return
                    "<li><a href=\"/deals/\(deal.id.lowercased)\">\(deal.title(in: deals))</a> <span class=\"meta\">\(day)</span> \(money)</li>"
            })
        let rows: HTML =
            page.records.isEmpty ? "<p class=\"muted\">\(t("dashboard.nothing_closing"))</p>" : "<ul class=\"list-plain\">\(items)</ul>"
        return
            "<section class=\"card\" aria-labelledby=\"closing-heading\"><h2 id=\"closing-heading\">\(t("dashboard.closing"))</h2>\(rows)</section>"
    }

    /// This month's new leads counted by source (one count a source: each an indexed range).
    func newLeadsBySource(_ viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        guard viewer.scope.may(.read, on: "leads") else { return "" }
        let leads = try await services.records.visibleEntity("leads", scope: viewer.scope)
        guard let source = leads.field(named: "source") else { return "" }
        let since = Timestamps.format(Self.month(viewer).start)
        let query = try ListQueryParser.parse([("created_at[gte]", since)], for: leads).get()
        var counts: [(String, Int)] = try await services.records.counts(by: "source", query, entity: "leads", scope: viewer.scope).map {
            value, count in
            (
                value.flatMap { value in source.options.first { $0.value == value }.map { t.label($0.label) } ?? value }
                    ?? t("dashboard.no_source"), count
            )
        }
        guard !counts.isEmpty else {
            return
                "<section class=\"card\" aria-labelledby=\"sources-heading\"><h2 id=\"sources-heading\">\(t("dashboard.sources"))</h2><p class=\"muted\">\(t("dashboard.no_leads"))</p></section>"
        }
        counts.sort { ($0.1, $1.0) > ($1.1, $0.0) }
        let widest = max(counts.first?.1 ?? 1, 1)
        let bars = HTML(
            joining: counts.enumerated().map { index, entry in
                let width = Int(Double(entry.1) / Double(widest) * 260) + 2
                let y = index * 30
                return
                    "<text x=\"0\" y=\"\(y + 19)\">\(entry.0)</text><rect x=\"160\" y=\"\(y + 6)\" width=\"\(width)\" height=\"18\" rx=\"3\"></rect><text x=\"\(170 + width)\" y=\"\(y + 19)\">\(viewer.format.integer(Int64(entry.1)))</text>"
            })
        let height = counts.count * 30 + 8
        return """
            <section class="card" aria-labelledby="sources-heading"><h2 id="sources-heading">\(t("dashboard.sources"))</h2>
            <svg class="funnel" role="img" aria-labelledby="sources-heading" viewBox="0 0 480 \(height)" width="100%" height="\(height)">\(bars)</svg></section>
            """
    }
}
