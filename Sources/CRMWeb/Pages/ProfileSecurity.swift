import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The security half of `/me`: change my password, see and end my sessions, make and revoke my
/// API tokens (a new token's secret is shown once, on the page the form returns, never in a URL).
struct ProfileSecurity: Sendable {
    let services: Services

    /// What a security form just did, shown once on the page it returns.
    struct Outcome: Sendable {
        var newToken: String?
        /// Two-factor enrolment started: the secret to type into an authenticator app and its URI.
        var enrolment: (secret: String, uri: String)?
        var recoveryCodes: [String]?
        var twoFactorError: String?
    }

    func html(_ viewer: Viewer, issues: [ValidationIssue] = [], outcome: Outcome = Outcome(), twoFactorOn: Bool) async throws -> HTML {
        let t = viewer.t
        let newToken = outcome.newToken
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
            \(twoFactor(viewer, on: twoFactorOn, outcome: outcome))
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

    /// Two-factor sign-in: turn it on (secret, then a code confirms it and recovery codes are
    /// shown once) or off (with a code).
    func twoFactor(_ viewer: Viewer, on: Bool, outcome: Outcome) -> HTML {
        let t = viewer.t
        let error: HTML =
            outcome.twoFactorError.map { "<div class=\"field-error\" id=\"two-factor-error\" role=\"alert\">\($0)</div>" } ?? ""
        var body: HTML
        if let codes = outcome.recoveryCodes {
            body = """
                <div class="notice" role="status" id="recovery-codes">\(t("me.two_factor_on"))<br>\(t("me.recovery_once"))
                <ul class="list-plain">\(HTML(joining: codes.map { "<li><code>\($0)</code></li>" }))</ul></div>
                """
        } else if let enrolment = outcome.enrolment {
            body = """
                <p>\(t("me.two_factor_secret"))</p><p><code id="two-factor-secret">\(enrolment.secret)</code></p>
                <p class="meta"><code>\(enrolment.uri)</code></p>
                <form id="two-factor-confirm" method="post" action="/me/two-factor/confirm">\(viewer.csrfField)
                <div class="field"><label for="two-factor-code">\(t("login.code"))</label><input id="two-factor-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>\(error)</div>
                <button class="primary" type="submit">\(t("me.two_factor_confirm"))</button></form>
                """
        } else if on {
            body = """
                <p>\(t("me.two_factor_is_on"))</p>
                <form id="two-factor-disable" method="post" action="/me/two-factor/disable">\(viewer.csrfField)
                <div class="field"><label for="two-factor-off-code">\(t("me.two_factor_code_or_recovery"))</label><input id="two-factor-off-code" name="code" autocomplete="one-time-code" required>\(error)</div>
                <button type="submit">\(t("me.two_factor_disable"))</button></form>
                """
        } else {
            body = """
                <p>\(t("me.two_factor_is_off"))</p>
                <form id="two-factor-start" method="post" action="/me/two-factor/start">\(viewer.csrfField)<button type="submit">\(t("me.two_factor_enable"))</button></form>\(error)
                """
        }
        return
            "<section class=\"card\" aria-labelledby=\"two-factor-heading\"><h2 id=\"two-factor-heading\">\(t("me.two_factor"))</h2>\(body)</section>"
    }

    @Sendable func startTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        _ = try await PageForm.read(request, context: context, secret: context.sessionToken)
        do {
            let started = try await services.access.beginTwoFactor(scope: viewer.scope)
            let outcome = Outcome(enrolment: (started["secret"]?.stringValue ?? "", started["otpauth_uri"]?.stringValue ?? ""))
            return try await ProfilePage(services: services).page(viewer, outcome: outcome)
        } catch let error as CRMError {
            return try await ProfilePage(services: services).page(viewer, outcome: Outcome(twoFactorError: Self.message(error, viewer.t)))
        }
    }

    @Sendable func confirmTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        do {
            let result = try await services.access.confirmTwoFactor(["code": .string(form.value("code") ?? "")], scope: viewer.scope)
            guard case .array(let codes)? = result["recovery_codes"] else { throw CRMError.notFound("no recovery codes") }
            return try await ProfilePage(services: services).page(viewer, outcome: Outcome(recoveryCodes: codes.compactMap(\.stringValue)))
        } catch let error as CRMError {
            return try await ProfilePage(services: services).page(
                viewer, outcome: Outcome(twoFactorError: Self.message(error, viewer.t)), status: .unprocessableContent)
        }
    }

    @Sendable func disableTwoFactor(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        do {
            try await services.access.disableTwoFactor(["code": .string(form.value("code") ?? "")], scope: viewer.scope)
        } catch let error as CRMError {
            return try await ProfilePage(services: services).page(
                viewer, outcome: Outcome(twoFactorError: Self.message(error, viewer.t)), status: .unprocessableContent)
        }
        return PageResponse.redirect("/me?saved=1")
    }

    /// A refusal of a two-factor step in the person's language.
    static func message(_ error: CRMError, _ t: Translator) -> String {
        switch error {
        case .validation(let issues): issues.first.map { FormErrors.message($0, t) } ?? t("me.two_factor_failed")
        default: t("me.two_factor_failed")
        }
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
            return try await ProfilePage(services: services).page(viewer, outcome: Outcome(newToken: made.token), status: .created)
        } catch CRMError.validation(let issues) {
            return try await ProfilePage(services: services).page(viewer, issues: issues, status: .unprocessableContent)
        }
    }
}
