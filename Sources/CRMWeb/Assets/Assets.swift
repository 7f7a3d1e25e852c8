import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The stylesheet, the script and the icon, embedded in the binary (nothing to ship beside it,
/// nothing fetched from elsewhere). Each is served under a name that carries a hash of its
/// content, so browsers may keep it for a year and a new build is fetched anew.
enum Assets {
    struct Asset: Sendable {
        let path: String
        let contentType: String
        let body: ByteBuffer
    }

    static let stylesheet = make("app", "css", "text/css; charset=utf-8", Stylesheet.text)
    static let script = make("app", "js", "text/javascript; charset=utf-8", Script.text)
    static let icon = make(
        "icon", "svg", "image/svg+xml",
        ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f5fbf"/><path d="M21 11.5a7 7 0 1 0 0 9" stroke="#fff" stroke-width="3.2" fill="none" stroke-linecap="round"/></svg>"##
    )
    static let all: [String: Asset] = Dictionary(uniqueKeysWithValues: [stylesheet, script, icon].map { ($0.path, $0) })

    static func make(_ name: String, _ suffix: String, _ contentType: String, _ text: String) -> Asset {
        let hash = SHA256.hash(data: Array(text.utf8)).prefix(6).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return Asset(path: "/assets/\(name)-\(hash).\(suffix)", contentType: contentType, body: ByteBuffer(string: text))
    }

    static func addRoutes(to router: Router<AppContext>) {
        router.get("assets/:name") { request, _ -> Response in
            guard let asset = all[request.uri.path] else { throw HTTPError(.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            headers[.xContentTypeOptions] = "nosniff"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
        }
    }
}
