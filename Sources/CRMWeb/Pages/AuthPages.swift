import CRMCore
import CRMServices
import Foundation
import HTTPTypes
import Hummingbird

/// Sign in, sign out and the first-run page that creates the box's first administrator.
struct AuthPages {
    let services: Services

    func addRoutes(to router: Router<AppContext>) {
        router.get("login", use: loginPage)
        router.post("login", use: login)
        router.post("logout", use: logout)
        router.get("setup", use: setupPage)
        router.post("setup", use: setup)
    }

    /// The pre-sign-in CSRF secret of this browser, and the cookie to set when it has none.
    func formSecret(_ request: Request, context: AppContext) -> (secret: String, setCookie: String?) {
        if let existing = PageSession.cookie(PageSession.formCookieName, in: request) { return (existing, nil) }
        let secret = PageSession.newFormSecret()
        return (secret, PageSession.formCookie(secret, secure: PageSession.isSecure(request, context: context)))
    }

    static func language(_ request: Request) -> String { Translator.preferred(acceptLanguage: request.headers[.acceptLanguage]) }

    @Sendable func loginPage(_ request: Request, context: AppContext) async throws -> Response {
        if context.scope != nil { return PageResponse.redirect("/") }
        let next = PageResponse.localPath(Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })["next"])
        return loginForm(request, context: context, next: next, email: "", error: nil, askCode: false)
    }

    func loginForm(
        _ request: Request, context: AppContext, next: String, email: String, error: String?, askCode: Bool,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let t = Translator(language: Self.language(request))
        let (secret, setCookie) = formSecret(request, context: context)
        let errorBox: HTML = error.map { "<div class=\"form-error\" role=\"alert\" id=\"login-error\">\($0)</div>" } ?? ""
        let code: HTML =
            askCode
            ? """
            <div class="field"><label for="code">\(t("login.code"))</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus></div>
            """ : ""
        let body: HTML = """
            <main class="auth-page"><div class="card">
            <h1>\(t("login.title"))</h1>
            \(errorBox)
            <form id="login-form" method="post" action="/login">
            <input type="hidden" name="_csrf" value="\(PageSession.csrfToken(for: secret))">
            <input type="hidden" name="next" value="\(next)">
            <div class="field"><label for="email">\(t("login.email"))</label>
            <input id="email" name="email" type="email" autocomplete="email" required value="\(email)"\(flag: "autofocus", email.isEmpty)\(flag: "aria-describedby=\"login-error\"", error != nil)></div>
            <div class="field"><label for="password">\(t("login.password"))</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required\(flag: "autofocus", !email.isEmpty && !askCode)></div>
            \(code)
            <details class="field"><summary class="muted">\(t("login.workspace_more"))</summary>
            <label for="workspace">\(t("login.workspace"))</label>
            <input id="workspace" name="workspace" autocomplete="organization" placeholder="default"></details>
            <button id="sign-in" class="primary" type="submit">\(t("login.submit"))</button>
            </form>
            </div></main>
            """
        return Self.signedOutPage(t, title: t("login.title"), body: body, setCookie: setCookie, status: status)
    }

    /// A page before sign-in (no navigation), setting the pre-sign-in CSRF cookie when new.
    static func signedOutPage(_ t: Translator, title: String, body: HTML, setCookie: String?, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        if let setCookie { headers[.setCookie] = setCookie }
        return PageResponse.html(Layout.document(t, title: title, csrf: nil, body: body), status: status, headers: headers)
    }

    @Sendable func login(_ request: Request, context: AppContext) async throws -> Response {
        let t = Translator(language: Self.language(request))
        let form = try await PageForm.read(request, context: context, secret: PageSession.cookie(PageSession.formCookieName, in: request))
        let email = String((form.value("email") ?? "").trimmingCharacters(in: .whitespaces).prefix(255))
        let password = form.value("password") ?? ""
        let next = PageResponse.localPath(form.value("next"))
        let workspace = form.value("workspace").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap {
            $0.isEmpty ? nil : $0
        }
        let code = form.value("code").flatMap { $0.isEmpty ? nil : String($0.prefix(40)) }
        guard !email.isEmpty, !password.isEmpty, password.count <= 1000 else {
            return loginForm(
                request, context: context, next: next, email: email, error: t("login.missing"), askCode: false,
                status: .unprocessableContent)
        }
        do {
            let signedIn = try await services.auth.login(
                email: email, password: password, workspaceSlug: workspace, code: code, address: context.remoteAddress,
                client: request.headers[.userAgent])
            var headers = HTTPFields()
            headers[.setCookie] = PageSession.sessionCookie(
                signedIn.token, expires: signedIn.expiresAt, secure: PageSession.isSecure(request, context: context))
            return PageResponse.redirect(next, headers: headers)
        } catch CRMError.codeRequired {
            return loginForm(request, context: context, next: next, email: email, error: t("login.code_needed"), askCode: true)
        } catch CRMError.unauthenticated {
            return loginForm(
                request, context: context, next: next, email: email, error: t(code == nil ? "login.wrong" : "login.wrong_code"),
                askCode: code != nil, status: .unauthorized)
        } catch CRMError.tooManyRequests(_, let seconds) {
            var response = loginForm(
                request, context: context, next: next, email: email, error: t("login.throttled", String(seconds)), askCode: false,
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        let secure = PageSession.isSecure(request, context: context)
        if let token = context.sessionToken {
            _ = try await PageForm.read(request, context: context, secret: token)
            try await services.auth.logout(token: token)
        }
        return PageResponse.redirect("/login", headers: [.setCookie: PageSession.clearedSessionCookie(secure: secure)])
    }

    // MARK: - First run

    @Sendable func setupPage(_ request: Request, context: AppContext) async throws -> Response {
        guard try await services.auth.needsFirstAdministrator() else { return PageResponse.redirect("/login") }
        return setupForm(request, context: context, values: [:], issues: [])
    }

    func setupForm(
        _ request: Request, context: AppContext, values: [String: String], issues: [ValidationIssue],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let language = values["language"] ?? Self.language(request)
        let t = Translator(language: language)
        let (secret, setCookie) = formSecret(request, context: context)
        func field(_ name: String, _ type: String, _ autocomplete: String) -> HTML {
            let issue = issues.first { $0.field == name }
            let error: HTML = issue.map { "<div class=\"field-error\" id=\"\(name)-error\">\(FormErrors.message($0, t))</div>" } ?? ""
            return """
                <div class="field"><label for="\(name)">\(t("setup.\(name)"))</label>
                <input id="\(name)" name="\(name)" type="\(type)" autocomplete="\(autocomplete)" required value="\(type == "password" ? "" : values[name] ?? "")"\(issue != nil ? " aria-invalid=\"true\" aria-describedby=\"\(name)-error\"" as HTML : "")>
                \(error)</div>
                """
        }
        let languages: HTML =
            "\(each: Translator.languages.map { code in "<option value=\"\(code)\"\(flag: "selected", code == language)>\(Translator(language: code)("language.name"))</option>" as HTML })"
        let body: HTML = """
            <main class="auth-page"><div class="card">
            <h1>\(t("setup.title"))</h1>
            <p class="muted">\(t("setup.intro"))</p>
            \(issues.isEmpty ? "" : "<div class=\"form-error\" role=\"alert\">\(t("form.has_errors"))</div>" as HTML)
            <form id="setup-form" method="post" action="/setup">
            <input type="hidden" name="_csrf" value="\(PageSession.csrfToken(for: secret))">
            \(field("name", "text", "name"))
            \(field("email", "email", "email"))
            \(field("password", "password", "new-password"))
            <div class="field"><label for="language">\(t("setup.language"))</label><select id="language" name="language">\(languages)</select></div>
            <button id="create-admin" class="primary" type="submit">\(t("setup.submit"))</button>
            </form>
            </div></main>
            """
        return Self.signedOutPage(t, title: t("setup.title"), body: body, setCookie: setCookie, status: status)
    }

    @Sendable func setup(_ request: Request, context: AppContext) async throws -> Response {
        let form = try await PageForm.read(request, context: context, secret: PageSession.cookie(PageSession.formCookieName, in: request))
        guard try await services.auth.needsFirstAdministrator() else { return PageResponse.redirect("/login") }
        var values: [String: String] = [:]
        for name in ["name", "email", "language"] {
            values[name] = String((form.value(name) ?? "").trimmingCharacters(in: .whitespaces).prefix(255))
        }
        let password = form.value("password") ?? ""
        let workspace = try await services.workspaces.ensureDefault()
        do {
            _ = try await services.auth.createFirstAdministrator(
                email: values["email"] ?? "", password: password, name: values["name"] ?? "", language: values["language"] ?? "en",
                workspaceID: workspace.id)
        } catch CRMError.validation(let issues) {
            return setupForm(request, context: context, values: values, issues: issues, status: .unprocessableContent)
        }
        let signedIn = try await services.auth.login(
            email: values["email"] ?? "", password: password, workspaceSlug: workspace.slug, address: context.remoteAddress,
            client: request.headers[.userAgent])
        return PageResponse.redirect(
            "/",
            headers: [
                .setCookie: PageSession.sessionCookie(
                    signedIn.token, expires: signedIn.expiresAt, secure: PageSession.isSecure(request, context: context))
            ])
    }
}
