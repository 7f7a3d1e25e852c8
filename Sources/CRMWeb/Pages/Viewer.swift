import CRMCore
import Foundation
import Hummingbird
import Synchronization

/// Who a page is rendered for: their access scope, language, number and date formats, time
/// zone and the CSRF token their forms carry.
struct Viewer: Sendable {
    let scope: AccessScope
    let t: Translator
    let format: LocaleFormat
    let csrf: String
    /// The path of the page (the navigation marks where the person is).
    let path: String
    /// What several parts of one page read (the workspace's users, stage names): read once a
    /// request.
    let cache = RequestCache()

    init(_ request: Request, context: AppContext) throws {
        guard let scope = context.scope, let session = context.sessionToken else {
            throw CRMError.unauthenticated("sign in first")
        }
        self.scope = scope
        self.t = Translator(language: scope.language)
        self.format = LocaleFormat(language: scope.language, timeZone: TimeZone(identifier: scope.timeZone) ?? TimeZone(identifier: "UTC")!)
        self.csrf = PageSession.csrfToken(for: session)
        self.path = request.uri.path
    }

    /// The hidden field every state-changing form carries.
    var csrfField: HTML { "<input type=\"hidden\" name=\"_csrf\" value=\"\(csrf)\">" }
}

/// A page request's memo of what more than one of its parts needs.
final class RequestCache: Sendable {
    let users = Mutex<[(id: UUID, name: String, active: Bool)]?>(nil)
    let stageNames = Mutex<[String: String]?>(nil)
}
