import CRMCore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The browser's side of a sign-in: the session token in an HttpOnly cookie, and the CSRF
/// token every state-changing form and fetch must carry.
///
/// The CSRF token is derived from the session token (a hash of it), so it needs no storage and
/// any instance can check it; a page on another site can neither read the cookie nor compute
/// the hash. Before sign-in (the sign-in and first-run forms) a random `clientele_csrf` cookie
/// plays the session's part (the double-submit pattern).
enum PageSession {
    static let cookieName = "clientele_session"
    static let formCookieName = "clientele_csrf"
    /// The form field and the header that carry the CSRF token.
    static let csrfField = "_csrf"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// A cookie's value in the request, if it came.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    /// The CSRF token that goes with a session (or a pre-sign-in cookie) token.
    static func csrfToken(for secret: String) -> String {
        let digest = SHA256.hash(data: Array("clientele-csrf\u{0}\(secret)".utf8))
        return digest.prefix(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Compares in time independent of where the first difference is.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, given.utf8.count == expected.utf8.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(given.utf8, expected.utf8) { difference |= left ^ right }
        return difference == 0
    }

    /// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Secure when the page came over TLS.
    static func sessionCookie(_ token: String, expires: Date, secure: Bool) -> String {
        let maxAge = max(0, Int(expires.timeIntervalSinceNow))
        return "\(cookieName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    static func clearedSessionCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    /// A fresh random value for the pre-sign-in CSRF cookie.
    static func newFormSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16).leftPadded(to: 2) }.joined()
    }

    static func formCookie(_ secret: String, secure: Bool) -> String {
        "\(formCookieName)=\(secret); Path=/; Max-Age=7200; HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    /// Whether the browser reached us over TLS (directly or, from a trusted proxy, as
    /// `X-Forwarded-Proto: https`).
    static func isSecure(_ request: Request, context: AppContext) -> Bool {
        request.uri.scheme == .https || context.forwardedTLS
    }
}

/// The fields of a submitted form, read only after its CSRF token checks out: page handlers get
/// form fields from here and nowhere else, so none can forget the check.
struct PageForm: Sendable {
    static let maximumSize = 1 << 20
    let items: [(String, String)]

    func value(_ name: String) -> String? { items.last { $0.0 == name }?.1 }
    func values(_ name: String) -> [String] { items.filter { $0.0 == name }.map(\.1) }
    func has(_ name: String) -> Bool { items.contains { $0.0 == name } }

    /// Reads an `application/x-www-form-urlencoded` body and checks its `_csrf` field against
    /// `secret` (the session token, or the pre-sign-in cookie).
    static func read(_ request: Request, context: AppContext, secret: String?) async throws -> PageForm {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumSize)
        } catch {
            throw CRMError.payloadTooLarge(limit: maximumSize)
        }
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        let items = APIResponse.formItems(text)
        guard let secret, PageSession.matches(items.last(where: { $0.0 == PageSession.csrfField })?.1, PageSession.csrfToken(for: secret))
        else {
            throw CRMError.forbidden("the form's security token is missing or stale: reload the page and send it again")
        }
        return PageForm(items: items.filter { $0.0 != PageSession.csrfField })
    }
}
