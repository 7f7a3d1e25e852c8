import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// `/me`: the person's own name, language and time zone.
struct ProfilePage: Sendable {
    let services: Services
    var frame: PageFrame { PageFrame(services: services) }
    static let timeZones = [
        "Europe/Moscow", "Europe/Sofia", "Europe/Kaliningrad", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
        "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka", "Europe/Minsk",
        "Asia/Almaty", "Europe/London", "Europe/Berlin", "America/New_York", "UTC",
    ]

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let saved = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { $1 })["saved"] != nil
        return try await page(viewer, saved: saved)
    }

    /// The page: the stored profile (or `typed`, when a form came back refused), then the
    /// security sections.
    func page(
        _ viewer: Viewer, typed: (name: String, language: String, timeZone: String)? = nil, issues: [ValidationIssue] = [],
        saved: Bool = false, outcome: ProfileSecurity.Outcome = ProfileSecurity.Outcome(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let userID = viewer.scope.userID else { throw CRMError.unauthenticated("sign in first") }
        let me = try await services.access.user(id: userID, scope: viewer.scope).user
        let name = typed?.name ?? me.name
        let email = me.email
        let language = typed?.language ?? me.language
        let timeZone = typed?.timeZone ?? me.timeZone
        let security = try await ProfileSecurity(services: services).html(
            viewer, issues: issues, outcome: outcome, twoFactorOn: me.twoFactor)
        let t = viewer.t
        func error(_ field: String) -> HTML {
            issues.first { $0.field == field }.map {
                "<div class=\"field-error\" id=\"me-\(field)-error\">\(FormErrors.message($0, t))</div>" as HTML
            } ?? ""
        }
        let zones = Self.timeZones.contains(timeZone) ? Self.timeZones : [timeZone] + Self.timeZones
        let main: HTML = """
            <div class="page-head"><h1>\(t("me.title"))</h1></div>
            \(saved ? "<div class=\"notice\" role=\"status\">\(t("record.saved"))</div>" as HTML : "")
            <form id="profile-form" class="card" method="post" action="/me">\(viewer.csrfField)
            <div class="form-grid">
            <div class="field"><label for="me-name">\(t("me.name"))</label><input id="me-name" name="name" value="\(name)" required>\(error("name"))</div>
            <div class="field"><span class="muted">\(t("login.email"))</span><span>\(email)</span></div>
            <div class="field"><label for="me-language">\(t("setup.language"))</label><select id="me-language" name="language">\(each: Translator.languages.map { code in "<option value=\"\(code)\"\(flag: "selected", code == language)>\(Translator(language: code)("language.name"))</option>" as HTML })</select>\(error("language"))</div>
            <div class="field"><label for="me-time-zone">\(t("me.time_zone"))</label><select id="me-time-zone" name="time_zone">\(each: zones.map { zone in "<option\(flag: "selected", zone == timeZone)>\(zone)</option>" as HTML })</select>\(error("time_zone"))</div>
            </div>
            <div class="form-actions"><button id="save-profile" class="primary" type="submit">\(t("form.save"))</button></div>
            </form>
            <div class="stack profile-security">\(security)</div>
            """
        return try await frame.render(viewer, title: t("me.title"), status: status, main: main)
    }

    @Sendable func save(_ request: Request, context: AppContext) async throws -> Response {
        let viewer = try Viewer(request, context: context)
        let form = try await PageForm.read(request, context: context, secret: context.sessionToken)
        let name = form.value("name") ?? ""
        let language = form.value("language") ?? viewer.scope.language
        let timeZone = form.value("time_zone") ?? viewer.scope.timeZone
        do {
            _ = try await services.access.updateOwnProfile(name: name, language: language, timeZone: timeZone, scope: viewer.scope)
            return PageResponse.redirect("/me?saved=1")
        } catch CRMError.validation(let issues) {
            return try await page(viewer, typed: (name, language, timeZone), issues: issues, status: .unprocessableContent)
        }
    }
}
