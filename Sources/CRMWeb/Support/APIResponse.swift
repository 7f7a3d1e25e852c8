import CRMCore
import Foundation
import Hummingbird

/// JSON in and out.
enum APIResponse {
    static let maximumBodySize = 1 << 20
    /// Batch bodies (up to 1,000 records) may be larger.
    static let maximumBatchBodySize = 16 << 20

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        json(bytes: value.serialized(), status: status, headers: extra)
    }

    /// A JSON body already serialised.
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Reads the whole body as one JSON value; every failure is a 4xx that says why.
    static func body(_ request: Request, context: AppContext) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            throw CRMError.payloadTooLarge(limit: maximumBodySize)
        }
        return try await body(request, context: context, buffer: buffer)
    }

    /// Parses a body already collected.
    static func body(_ request: Request, context: AppContext, buffer: ByteBuffer) async throws -> JSONValue {
        guard buffer.readableBytes > 0 else {
            throw CRMError.badRequest(code: "empty_body", message: "the request needs a JSON body")
        }
        do {
            return try JSONValue.parse(buffer.readableBytesView)
        } catch .invalidUTF8 {
            throw CRMError.badRequest(code: "invalid_utf8", message: "the body is not valid UTF-8")
        } catch .tooDeep {
            throw CRMError.badRequest(code: "too_deep", message: "the JSON nests too deeply")
        } catch .malformed(let reason) {
            throw CRMError.badRequest(code: "malformed_json", message: "the body is not valid JSON: \(reason)")
        }
    }

    /// Query parameters in order, keys and values percent-decoded (`+` is a space).
    /// Control characters are refused: no field stores them, and PostgreSQL rejects NUL.
    static func queryItems(_ request: Request) throws -> [(String, String)] {
        guard let query = request.uri.query, !query.isEmpty else { return [] }
        let items = formItems(query)
        for (key, value) in items where (key + value).unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw CRMError.badRequest(code: "control_character", message: "the query parameter \(key) contains a control character")
        }
        return items
    }

    /// `a=1&b=x+y` pairs in order, percent-decoded, `+` as a space (query strings and
    /// `application/x-www-form-urlencoded` bodies).
    static func formItems(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func uuid(_ text: String?, entity: String) throws -> UUID {
        guard let text, let id = UUID(uuidString: text) else {
            throw CRMError.recordNotFound(entity: entity, id: text ?? "")
        }
        return id
    }
}
