import CRMCore

/// The frame of every signed-in page: the left navigation (entities the person may read, custom
/// ones included), the top bar (global search, the "Create" menu) and the page itself.
enum Layout {
    /// The entities of the navigation, in this order; custom entities follow.
    static let navigationOrder = ["leads", "contacts", "companies", "deals", "activities"]
    /// What the "Create" menu offers (a `?kind=` picks the kind of activity).
    static let createItems: [(path: String, key: String)] = [
        ("/leads/new", "create.lead"), ("/contacts/new", "create.contact"), ("/companies/new", "create.company"),
        ("/deals/new", "create.deal"), ("/activities/new?kind=task", "create.task"), ("/activities/new?kind=call", "create.call"),
        ("/activities/new?kind=meeting", "create.meeting"),
    ]

    static func page(
        _ viewer: Viewer, title: String, entities: [EntityDefinition], unread: Int = 0, main: HTML
    ) -> HTML {
        let t = viewer.t
        let readable = entities.filter { viewer.scope.may(.read, on: $0.pluralName) }
        var labels = JSONObject()
        for entity in readable { labels[entity.pluralName] = .string(t.label(entity.pluralLabel)) }
        let navigation: HTML =
            "\(each: readable.map { entity in navLink(viewer, path: "/\(entity.pluralName)", label: t.label(entity.pluralLabel), entity: entity.pluralName) })"
        let create: HTML =
            "\(each: createItems.filter { item in readable.contains { item.path.hasPrefix("/\($0.pluralName)/") } }.map { item in "<a href=\"\(item.path)\">\(t(item.key))</a>" as HTML })"
        return document(
            viewer.t, title: title, csrf: viewer.csrf,
            body: """
                <a class="skip-link" href="#content">\(t("nav.skip"))</a>
                <div class="shell">
                <nav id="sidebar" aria-label="\(t("nav.label"))">
                <a class="brand" href="/">Clientele</a>
                \(navLink(viewer, path: "/", label: t("nav.dashboard"), entity: nil))
                <div class="nav-section">\(t("nav.records"))</div>
                \(navigation)
                <div class="me">
                <a class="nav" href="/notifications"><span>\(t("nav.notifications"))</span>\(unread > 0 ? "<span class=\"badge\">\(unread)</span>" as HTML : "")</a>
                <a class="nav" href="/me"\(viewer.path == "/me" ? " aria-current=\"page\"" as HTML : "")><span>\(viewer.scope.userName)</span></a>
                <form id="logout-form" method="post" action="/logout">\(viewer.csrfField)<button id="sign-out" class="link-button" type="submit">\(t("nav.sign_out"))</button></form>
                </div>
                </nav>
                <div>
                <header class="topbar">
                <form id="search-form" class="search-box" role="search" method="get" action="/search">
                <input id="global-search" name="q" type="text" autocomplete="off" aria-label="\(t("search.label"))" placeholder="\(t("search.placeholder"))" role="combobox" aria-expanded="false" aria-controls="search-results" aria-autocomplete="list">
                <div id="search-results" role="listbox" hidden aria-label="\(t("search.results"))" data-empty="\(t("search.nothing"))" data-all="\(t("search.all"))" data-labels="\(JSONValue.object(labels).serializedString())"></div>
                </form>
                <details class="menu" id="create-menu"><summary class="button primary">\(t("create.menu"))</summary><div class="menu-items">\(create)</div></details>
                </header>
                <main id="content">
                \(main)
                </main>
                </div>
                </div>
                """)
    }

    static func navLink(_ viewer: Viewer, path: String, label: String, entity: String?) -> HTML {
        let current = path == "/" ? viewer.path == "/" : viewer.path == path || viewer.path.hasPrefix(path + "/")
        let dataEntity: HTML = entity.map { " data-entity=\"\($0)\"" } ?? ""
        return "<a class=\"nav\" href=\"\(path)\"\(dataEntity)\(current ? " aria-current=\"page\"" as HTML : "")><span>\(label)</span></a>"
    }

    /// The HTML document around a body (pages without the navigation use it directly).
    static func document(_ t: Translator, title: String, csrf: String?, bodyClass: String? = nil, body: HTML) -> HTML {
        let meta: HTML = csrf.map { "<meta name=\"csrf-token\" content=\"\($0)\">" } ?? ""
        let bodyAttribute: HTML = bodyClass.map { " class=\"\($0)\"" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="\(t.language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Clientele</title>
            \(meta)
            <link rel="icon" href="\(Assets.icon.path)" type="image/svg+xml">
            <link rel="stylesheet" href="\(Assets.stylesheet.path)">
            <script src="\(Assets.script.path)" defer></script>
            </head>
            <body\(bodyAttribute)>
            \(body)
            </body>
            </html>
            """
    }
}
