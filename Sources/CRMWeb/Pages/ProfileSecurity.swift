import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The security half of `/me`: change my password, see and end my sessions, make and revoke my
/// API tokens (a new token's secret is shown once, on the page the form returns, never in a URL).
struct ProfileSecurity: Sendable {
    let services: Services

    func html(_ viewer: Viewer, issues: [ValidationIssue] = [], newToken: String? = nil) async throws -> HTML {
        let t = viewer.t
        let sessions = try await services.access.tokens(kind: .session, userID: nil, scope: viewer.scope).filter { $0.revokedAt == nil }
        let tokens = try await services.access.tokens(kind: .token, userID: nil, scope: viewer.scope).filter { $0.revokedAt == nil }
        func error(_ field: String) -> HTML {
            guard let issue = issues.first(where: { $0.field == field }) else { return "" }
            let key = "me.\(field).\(issue.code)"
            return "<div class=\"field-error\" id=\"me-\(field)-error\">\(t(key) == key ? FormErrors.message(issue, t) : t(key))</div>"
        }
        func when(_ date: Date?) -> String { date.map { viewer.format.dateTime($0) } ?? "—" }
        let sessionRows = HTML(
            joining: sessions.map { session in
                let current = session.id == viewer.scope.tokenID
                let end: HTML =
                    current
                    ? "<span class=\"meta\">\(t("me.this_session"))</span>"
                    : "<form method=\"post\" action=\"/me/sessions/\(session.id.lowercased)/revoke\">\(viewer.csrfField)<button type=\"submit\">\(t("me.end_session"))</button></form>"
                return
                    "<tr><td>\(session.client ?? "—")</td><td>\(when(session.createdAt))</td><td>\(when(session.lastUsedAt))</td><td>\(end)</td></tr>"
            })
        let tokenRows = HTML(
            joining: tokens.map { token in
                "<tr><td>\(token.name)</td><td>\(t(token.readOnly ? "me.read_only" : "me.read_write"))</td><td>\(when(token.lastUsedAt))</td><td>\(when(token.expiresAt))</td><td><form method=\"post\" action=\"/me/tokens/\(token.id.lowercased)/revoke\">\(viewer.csrfField)<button type=\"submit\">\(t("me.revoke"))</button></form></td></tr>"
            })
        let shownToken: HTML =
            newToken.map {
                "<div class=\"notice\" role=\"status\" id=\"new-token\">\(t("me.token_once"))<br><code>\($0)</code></div>"
            } ?? ""
        return """
            <section class="card" aria-labelledby="password-heading"><h2 id="password-heading">\(t("me.password"))</h2>
            <form id="password-form" method="post" action="/me/password">\(viewer.csrfField)
            <div class="form-grid">
            <div class="field"><label for="current-password">\(t("me.current_password"))</label><input id="current-password" name="current_password" type="password" autocomplete="current-password" required>\(error("current_password"))</div>
            <div class="field"><label for="new-password">\(t("me.new_password"))</label><input id="new-password" name="new_password" type="password" autocomplete="new-password" required minlength="8">\(error("new_password"))</div>
            </div><div class="form-actions"><button class="primary" id="change-password" type="submit">\(t("me.change_password"))</button></div></form></section>
            <section class="card" aria-labelledby="sessions-heading"><h2 id="sessions-heading">\(t("me.sessions"))</h2>
            <div class="table-wrap"><table id="sessions"><thead><tr><th scope="col">\(t("me.client"))</th><th scope="col">\(t("me.created"))</th><th scope="col">\(t("me.last_used"))</th><th scope="col"><span class="visually-hidden">\(t("me.end_session"))</span></th></tr></thead><tbody>\(sessionRows)</tbody></table></div></section>
            <section class="card" aria-labelledby="tokens-heading"><h2 id="tokens-heading">\(t("me.tokens"))</h2>
            \(shownToken)
            \(tokens.isEmpty ? "<p class=\"muted\">\(t("me.no_tokens"))</p>" as HTML : "<div class=\"table-wrap\"><table id=\"tokens\"><thead><tr><th scope=\"col\">\(t("me.token_name"))</th><th scope=\"col\">\(t("me.access"))</th><th scope=\"col\">\(t("me.last_used"))</th><th scope=\"col\">\(t("me.expires"))</th><th scope=\"col\"><span class=\"visually-hidden\">\(t("me.revoke"))</span></th></tr></thead><tbody>\(tokenRows)</tbody></table></div>")
            <form id="token-form" class="filters" method="post" action="/me/tokens">\(viewer.csrfField)
            <div class="field"><label for="token-name">\(t("me.token_name"))</label><input id="token-name" name="name" required maxlength="100">\(error("name"))</div>
            <label><input type="checkbox" name="read_only" value="1"> \(t("me.read_only"))</label>
            <button type="submit" id="create-token">\(t("me.create_token"))</button></form></section>
            """
    }

    @Sendable func changePassword(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        do {
            try await services.access.changeOwnPassword(
                current: form.value("current_password") ?? "", new: form.value("new_password") ?? "", scope: viewer.scope)
        } catch CRMError.validation(let issues) {
            return try await ProfilePage(services: services).page(viewer, issues: issues, status: .unprocessableContent)
        }
        return PageResponse.redirect("/me?saved=1")
    }

    @Sendable func revokeSession(_ request: Request, context: AppContext) async throws -> Response {
        try await revoke(request, context: context, kind: .session)
    }

    @Sendable func revokeToken(_ request: Request, context: AppContext) async throws -> Response {
        try await revoke(request, context: context, kind: .token)
    }

    func revoke(_ request: Request, context: AppContext, kind: APIToken.Kind) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw CRMError.notFound("no such session") }
        try await services.access.revokeToken(id: id, kind: kind, scope: viewer.scope)
        return PageResponse.redirect("/me")
    }

    @Sendable func createToken(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        do {
            let made = try await services.access.createToken(
                ["name": .string(form.value("name") ?? ""), "read_only": .bool(form.value("read_only") == "1")], scope: viewer.scope)
            return try await ProfilePage(services: services).page(viewer, issues: [], newToken: made.token, status: .created)
        } catch CRMError.validation(let issues) {
            return try await ProfilePage(services: services).page(viewer, issues: issues, status: .unprocessableContent)
        }
    }
}
