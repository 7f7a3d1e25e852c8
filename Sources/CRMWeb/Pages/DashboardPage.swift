import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/`: the person's desk — their counters (overdue, today, leads and deals without a planned
/// activity), their open tasks, and the deal funnel as an SVG chart.
struct DashboardPage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let t = viewer.t
        // Heads of sales switch to their team: everyone their read scope reaches.
        let wantsTeam = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })["team"] == "1"
        var people = try await services.counters.counters(userID: nil, team: wantsTeam, scope: viewer.scope)
        let team = wantsTeam && people.count > 1
        if wantsTeam && !team { people = try await services.counters.counters(userID: nil, team: false, scope: viewer.scope) }
        var total = WorkCounters(userID: viewer.scope.userID ?? UUID())
        for person in people {
            total.overdue += person.overdue
            total.dueToday += person.dueToday
            total.leadsWithoutActivity += person.leadsWithoutActivity
            total.dealsWithoutActivity += person.dealsWithoutActivity
        }
        let owners = people.map(\.userID)
        let counters: WorkCounters? = people.isEmpty ? nil : total
        let counterCards: HTML =
            counters.map { mine in
                let cards: [(String, Int, String, Bool)] = [
                    (
                        "dashboard.overdue", mine.overdue,
                        "/activities?completed_at%5Bempty%5D=true&due_at%5Blt%5D=\(HTML.urlComponent(Timestamps.format(Date())))", true
                    ),
                    ("dashboard.today", mine.dueToday, "/activities?completed_at%5Bempty%5D=true&sort=due_at", false),
                    ("dashboard.leads_idle", mine.leadsWithoutActivity, "/leads", false),
                    ("dashboard.deals_idle", mine.dealsWithoutActivity, "/deals", false),
                ]
                return
                    "<div class=\"counters\">\(each: cards.map { key, value, link, alert in "<a class=\"counter\(alert && value > 0 ? " alert" : "")\" href=\"\(link)\"><span class=\"value\">\(viewer.format.integer(Int64(value)))</span>\(t(key))</a>" as HTML })</div>"
            } ?? ""
        let tasks = try await openTasks(viewer, owners: owners)
        let funnel = viewer.scope.may(.read, on: "deals") ? try await funnelChart(viewer) : ""
        let panels = DashboardPanels(services: services)
        let closing = try await panels.dealsClosingThisMonth(viewer, owners: owners)
        let sources = try await panels.newLeadsBySource(viewer)
        let switcher: HTML =
            team || wantsTeam
            ? "<a class=\"button\" id=\"dashboard-mine\" href=\"/\">\(t("dashboard.mine"))</a>"
            : "<a class=\"button\" id=\"dashboard-team\" href=\"/?team=1\">\(t("dashboard.team"))</a>"
        let main: HTML = """
            <div class="page-head"><h1>\(t(team ? "dashboard.team_title" : "dashboard.title"))</h1><div class="actions">\(switcher)</div></div>
            \(counterCards)
            <div class="panels">
            <section class="card" aria-labelledby="tasks-heading"><h2 id="tasks-heading">\(t(team ? "dashboard.team_tasks" : "dashboard.my_tasks"))</h2>\(tasks)</section>
            \(funnel)
            \(closing)
            \(sources)
            </div>
            """
        return try await frame.render(viewer, title: t("dashboard.title"), main: main)
    }

    func openTasks(_ viewer: Viewer, owners: [UUID]) async throws -> HTML {
        let t = viewer.t
        guard viewer.scope.may(.read, on: "activities"), !owners.isEmpty else { return "" }
        let entity = try await services.records.visibleEntity("activities", scope: viewer.scope)
        let query = try ListQueryParser.parse(
            [
                ("owner_id[in]", owners.map(\.lowercased).joined(separator: ",")), ("completed_at[empty]", "true"), ("sort", "due_at"),
                ("limit", "10"),
            ], for: entity
        ).get()
        let page = try await services.records.list(query, entity: "activities", scope: viewer.scope)
        guard !page.records.isEmpty else { return "<p class=\"muted\">\(t("dashboard.no_tasks"))</p>" }
        let items: [HTML] = page.records.map { record in
            let due: HTML =
                record.value(of: "due_at").isNull
                ? ""
                : " <span class=\"meta\">\(FieldDisplay.html(record.value(of: "due_at"), field: entity.field(named: "due_at")!, viewer: viewer, context: DisplayContext()))</span>"
            return "<li><a href=\"/activities/\(record.id.lowercased)\">\(record.title(in: entity))</a>\(due)</li>"
        }
        return "<ul class=\"list-plain\">\(each: items)</ul>"
    }

    /// The default pipeline's funnel: a bar a stage, as long as the deals that reached it.
    func funnelChart(_ viewer: Viewer) async throws -> HTML {
        let t = viewer.t
        let stages = try await services.funnel.funnel(FunnelQuery(), scope: viewer.scope).stages
        guard !stages.isEmpty else { return "" }
        let counts = stages.map { Int64($0.reached.count) }
        let widest = max(counts.max() ?? 1, 1)
        let rowHeight = 30
        let bars: [HTML] = stages.enumerated().map { index, stage in
            let name = t.label(stage.name)
            let width = Int(Double(counts[index]) / Double(widest) * 260) + 2
            let y = index * rowHeight
            return """
                <text x="0" y="\(y + 19)">\(name)</text><rect x="160" y="\(y + 6)" width="\(width)" height="18" rx="3"></rect><text x="\(170 + width)" y="\(y + 19)">\(viewer.format.integer(counts[index]))</text>
                """
        }
        let height = stages.count * rowHeight + 8
        return """
            <section class="card" aria-labelledby="funnel-heading"><h2 id="funnel-heading">\(t("dashboard.funnel"))</h2>
            <svg class="funnel" role="img" aria-labelledby="funnel-heading" viewBox="0 0 480 \(height)" width="100%" height="\(height)">\(each: bars)</svg>
            </section>
            """
    }
}
