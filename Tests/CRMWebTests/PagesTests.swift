import CRMCore
import CRMServices
import CRMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CRMWeb

/// The web pages through the router, on both backends: sessions and CSRF, what a restricted
/// person sees, escaping, forms that keep what was typed, saved views.
@Suite struct PagesTests {
    /// The default workspace needs a user, or every page sends to the first-run page.
    static func setUpDefaultWorkspace(_ services: Services) async throws {
        guard try await services.auth.needsFirstAdministrator() else { return }
        let workspace = try await services.workspaces.ensureDefault()
        do {
            _ = try await services.auth.createFirstAdministrator(
                email: "first@default.test", password: "password1", name: "First", language: "en", workspaceID: workspace.id)
        } catch CRMError.conflict {}  // another test made it first
    }

    /// A session cookie and its CSRF token for a user of the tenant's workspace.
    static func session(_ services: Services, email: String, password: String, tenant: Tenant) async throws -> (
        cookie: String, csrf: String
    ) {
        let token = try await services.auth.login(email: email, password: password, workspaceSlug: tenant.workspace.slug).token
        return ("\(PageSession.cookieName)=\(token)", PageSession.csrfToken(for: token))
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: pairs.map { "\(HTML.urlComponent($0.0))=\(HTML.urlComponent($0.1))" }.joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test(arguments: Backend.allCases)
    func pagesNeedASessionAndFormsATokenFromIt(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            try await Self.setUpDefaultWorkspace(services)
            try await client.execute(uri: "/contacts?sort=last_name", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=%2Fcontacts%3Fsort%3Dlast_name")
            }
            // The sign-in form: a pre-session cookie, and its token in the form.
            let secret = try await client.execute(uri: "/login", method: .get) { response -> String in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
                return String(cookie.split(separator: ";")[0].split(separator: "=")[1])
            }
            var headers = Self.formHeaders
            headers[.cookie] = "\(PageSession.formCookieName)=\(secret)"
            let fields = [
                ("email", tenant.user.email), ("password", "password1"), ("workspace", tenant.workspace.slug), ("next", "/deals"),
            ]
            try await client.execute(uri: "/login", method: .post, headers: headers, body: Self.form(fields)) { response in
                #expect(response.status == .forbidden, "no CSRF token: refused")
            }
            try await client.execute(
                uri: "/login", method: .post, headers: headers,
                body: Self.form([("_csrf", PageSession.csrfToken(for: secret)), ("email", tenant.user.email), ("password", "wrong-one")])
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.text(response).contains("class=\"form-error\""))
                #expect(Self.text(response).contains("value=\"\(tenant.user.email)\""), "the e-mail typed is kept")
            }
            let session = try await client.execute(
                uri: "/login", method: .post, headers: headers, body: Self.form([("_csrf", PageSession.csrfToken(for: secret))] + fields)
            ) { response -> String in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/deals")
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.hasPrefix("\(PageSession.cookieName)=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
                return String(cookie.split(separator: ";")[0].dropFirst(PageSession.cookieName.count + 1))
            }
            // A state-changing page form with another session's token is refused and writes nothing.
            var signedIn = Self.formHeaders
            signedIn[.cookie] = "\(PageSession.cookieName)=\(session)"
            try await client.execute(
                uri: "/contacts", method: .post, headers: signedIn,
                body: Self.form([("_csrf", PageSession.csrfToken(for: "another")), ("last_name", "Forged")])
            ) { response in
                #expect(response.status == .forbidden)
            }
            // The API takes the cookie only with the CSRF header.
            try await client.execute(uri: "/api/v1/contacts", method: .get, headers: [.cookie: "\(PageSession.cookieName)=\(session)"]) {
                response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/api/v1/contacts?last_name=Forged", method: .get,
                headers: [.cookie: "\(PageSession.cookieName)=\(session)", PageSession.csrfHeader: PageSession.csrfToken(for: session)]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["data"] == .array([]))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aRestrictedPersonSeesNeitherHiddenFieldsNorOthersRecords(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            try await Self.setUpDefaultWorkspace(services)
            let admin = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let profile = try await services.access.saveProfile(
                id: nil,
                [
                    "name": "Own contacts, no e-mail",
                    "permissions": ["contacts": ["read": "own", "create": "own", "edit": "own"]],
                    "fields": ["contacts": ["email": "hidden"]],
                ], scope: admin)
            let manager = try await services.access.createUser(
                [
                    "email": .string("manager@\(tenant.workspace.slug).test"), "name": "Manager", "password": "password2",
                    "profile_ids": [.string(profile.id.lowercased)],
                ], scope: admin)
            let mine = try await services.records.create(
                [
                    "first_name": "<script>alert(1)</script>", "last_name": "<b>Bold</b>", "email": "secret-mine@example.test",
                    "owner_id": .string(manager.user.id.lowercased),
                ], entity: "contacts", scope: admin)
            let others = try await services.records.create(
                ["last_name": "Чужой", "email": "secret-other@example.test"], entity: "contacts", scope: admin)
            let session = try await Self.session(services, email: manager.user.email, password: "password2", tenant: tenant)
            let headers: HTTPFields = [.cookie: session.cookie]
            for uri in [
                "/contacts", "/contacts/\(mine.id.lowercased)", "/search?q=Bold", "/contacts?sort=-created_at&columns=last_name,email",
            ] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    let page = Self.text(response)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(!page.contains("secret-mine") && !page.contains("secret-other"), "\(uri) shows a hidden e-mail")
                    #expect(!page.contains("Чужой"), "\(uri) shows another's record")
                    #expect(!page.contains("<script>alert(1)") && !page.contains("<b>Bold"), "\(uri) does not escape")
                }
            }
            try await client.execute(uri: "/contacts", method: .get, headers: headers) { response in
                #expect(Self.text(response).contains("&lt;b&gt;Bold&lt;/b&gt;"))
            }
            try await client.execute(uri: "/contacts/\(others.id.lowercased)", method: .get, headers: headers) { response in
                #expect(response.status == .notFound)
            }
            // Filtering on a hidden field is as unknown a field as any (and finds nothing out).
            try await client.execute(uri: "/contacts?email%5Bstarts%5D=secret", method: .get, headers: headers) { response in
                #expect(Self.text(response).contains("class=\"form-error\""))
                #expect(!Self.text(response).contains("secret-mine@"))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aRefusedFormKeepsWhatWasTypedAndSaysWhatIsWrong(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            try await Self.setUpDefaultWorkspace(services)
            let session = try await Self.session(services, email: tenant.user.email, password: "password1", tenant: tenant)
            var headers = Self.formHeaders
            headers[.cookie] = session.cookie
            try await client.execute(
                uri: "/contacts", method: .post, headers: headers,
                body: Self.form([
                    ("_csrf", session.csrf), ("first_name", "Анна"), ("last_name", ""), ("email", "not an address"),
                    ("birthday", "2026-13-45"),
                ])
            ) { response in
                let page = Self.text(response)
                #expect(response.status == .unprocessableContent)
                #expect(page.contains("value=\"Анна\""))
                #expect(page.contains("value=\"not an address\""))
                #expect(page.contains("id=\"f-last_name-error\""))
                #expect(page.contains("id=\"f-email-error\""))
                #expect(page.contains("aria-invalid=\"true\""))
            }
            let count = try await services.records.list(
                try ListQueryParser.parse([("first_name", "Анна")], for: BuiltinEntities.contact).get(), entity: "contacts",
                scope: AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            ).records.count
            #expect(count == 0, "nothing was written")
            // A good form: created, money and dates read as typed in Russian style.
            try await client.execute(
                uri: "/companies", method: .post, headers: headers,
                body: Self.form([
                    ("_csrf", session.csrf), ("name", "ООО Ромашка"), ("annual_revenue", "1 234 567,50"),
                    ("annual_revenue__currency", "RUB"),
                ])
            ) { response in
                #expect(response.status == .seeOther)
            }
            let company = try await services.records.list(
                try ListQueryParser.parse([("name", "ООО Ромашка")], for: BuiltinEntities.company).get(), entity: "companies",
                scope: AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            ).records.first
            #expect(company?.values["annual_revenue"] == .money(Money(micros: 1_234_567_500_000, currency: "RUB")))
        }
    }

    @Test(arguments: Backend.allCases)
    func savedViewsAreTheirAuthorsOrShared(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, _ in
            let admin = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let other = try await services.auth.createUser(
                email: "other@\(tenant.workspace.slug).test", password: "password2", name: "Other", isAdmin: false,
                workspaceID: tenant.workspace.id)
            let otherScope = try await services.auth.authenticate(
                token: try await services.auth.login(email: other.email, password: "password2", workspaceSlug: tenant.workspace.slug).token)
            _ = try await services.views.save(
                name: "Mine", query: [("last_name[starts]", "Ив"), ("sort", "-created_at"), ("cursor", "x")], shared: false,
                entity: "contacts", scope: admin)
            let shared = try await services.views.save(
                name: "Everyone's", query: [("columns", "last_name,email")], shared: true, entity: "contacts", scope: admin)
            #expect(try await services.views.views(entity: "contacts", scope: admin).map(\.name) == ["Everyone's", "Mine"])
            let seen = try await services.views.views(entity: "contacts", scope: otherScope)
            #expect(seen.map(\.name) == ["Everyone's"])
            #expect(
                try await services.views.views(entity: "contacts", scope: admin).first { $0.name == "Mine" }?.query
                    == "last_name%5Bstarts%5D=%D0%98%D0%B2&sort=-created_at")
            await #expect(throws: CRMError.self) { try await services.views.delete(id: shared.id, scope: otherScope) }
            await #expect(throws: CRMError.self) {
                _ = try await services.views.save(
                    name: "Bad", query: [("no_such_field", "1")], shared: false, entity: "contacts", scope: admin)
            }
            try await services.views.delete(id: shared.id, scope: admin)
            #expect(try await services.views.views(entity: "contacts", scope: otherScope).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func changingMyPasswordEndsMyOtherSessions(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            try await Self.setUpDefaultWorkspace(services)
            let here = try await Self.session(services, email: tenant.user.email, password: "password1", tenant: tenant)
            let elsewhere = try await Self.session(services, email: tenant.user.email, password: "password1", tenant: tenant)
            var headers = Self.formHeaders
            headers[.cookie] = here.cookie
            try await client.execute(
                uri: "/me/password", method: .post, headers: headers,
                body: Self.form([("_csrf", here.csrf), ("current_password", "not-it-at-all"), ("new_password", "password2")])
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.text(response).contains("id=\"me-current_password-error\""))
            }
            try await client.execute(
                uri: "/me/password", method: .post, headers: headers,
                body: Self.form([("_csrf", here.csrf), ("current_password", "password1"), ("new_password", "password2")])
            ) { response in
                #expect(response.status == .seeOther)
            }
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: here.cookie]) { response in
                #expect(response.status == .ok, "the session that changed the password stays")
            }
            try await client.execute(uri: "/me", method: .get, headers: [.cookie: elsewhere.cookie]) { response in
                #expect(response.status == .seeOther, "another session ends")
            }
            await #expect(throws: CRMError.self) {
                _ = try await services.auth.login(email: tenant.user.email, password: "password1", workspaceSlug: tenant.workspace.slug)
            }
            _ = try await services.auth.login(email: tenant.user.email, password: "password2", workspaceSlug: tenant.workspace.slug)
        }
    }

    @Test(arguments: Backend.allCases)
    func aScriptNamedRecordIsTextOnEveryPage(_ backend: Backend) async throws {
        try await withTestApp(backend) { services, tenant, client in
            // A deployment whose workspaces were made from the command line is set up: no
            // first-run page, whoever is in the default workspace.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.location] == "/login")
            }
            let admin = AccessScope(workspaceID: tenant.workspace.id, userID: tenant.user.id, isAdmin: true)
            let contact = try await services.records.create(
                ["first_name": "<script>alert(1)</script>", "last_name": "<img src=x onerror=alert(2)>"], entity: "contacts", scope: admin)
            _ = try await services.records.create(
                ["body": "<script>alert(3)</script>", "parent_type": "contact", "parent_id": .string(contact.id.lowercased)],
                entity: "notes",
                scope: admin)
            let today = String(Timestamps.format(Date()).prefix(10))
            let deal = try await services.records.create(
                [
                    "title": "<script>alert(4)</script>", "contact_id": .string(contact.id.lowercased),
                    "expected_close_date": .string(today),
                    "owner_id": .string(tenant.user.id.lowercased),
                ], entity: "deals", scope: admin)
            _ = try await services.records.create(
                ["last_name": "<script>alert(5)</script>", "source": "web_form"], entity: "leads", scope: admin)
            let session = try await Self.session(services, email: tenant.user.email, password: "password1", tenant: tenant)
            let pages = [
                "/contacts", "/contacts/\(contact.id.lowercased)", "/deals", "/deals?view=kanban", "/deals/\(deal.id.lowercased)",
                "/leads?view=kanban", "/", "/search?q=script", "/notifications",
            ]
            for uri in pages {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: session.cookie]) { response in
                    let page = Self.text(response)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(!page.contains("<script>alert") && !page.contains("<img src=x"), "\(uri) lets markup from a record through")
                    if uri != "/notifications" && uri != "/search?q=script" {
                        #expect(page.contains("&lt;script&gt;alert"), "\(uri) should show the name as text")
                    }
                }
            }
            // A deal's stage reads as its name, in its fields and on its timeline.
            try await client.execute(uri: "/deals/\(deal.id.lowercased)", method: .get, headers: [.cookie: session.cookie]) { response in
                let page = Self.text(response)
                #expect(page.contains("<dd>New</dd>") && page.contains("Moved to stage New"))
                #expect(!page.contains("<dd>open</dd>"))
            }
            // The leads board counts its columns in one grouped query: one new lead.
            try await client.execute(uri: "/leads?view=kanban", method: .get, headers: [.cookie: session.cookie]) { response in
                let page = Self.text(response)
                let column = page.range(of: "data-key=\"new\"").map { String(page[$0.upperBound...].prefix(400)) } ?? ""
                #expect(column.contains("data-count=\"1\""))
            }
        }
    }
}
