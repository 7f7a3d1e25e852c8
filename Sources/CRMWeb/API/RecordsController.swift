import CRMCore
import CRMServices
import Foundation
import HTTPTypes
import Hummingbird

/// One generic controller for every entity: `/api/v1/{entity}[/{id}]`.
struct RecordsController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        group.get(":entity", use: list)
        group.post(":entity", use: create)
        group.post(":entity/batch", use: createBatch)
        group.get(":entity/:id", use: get)
        group.patch(":entity/:id", use: update)
        group.delete(":entity/:id", use: delete)
        group.get(":entity/:id/history", use: history)
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        let entity = try context.parameters.require("entity")
        let page = try await services.records.listJSON(try APIResponse.queryItems(request), entity: entity, scope: context.requireScope())
        // Written straight to bytes: a page is the hottest response there is.
        var output: [UInt8] = []
        output.reserveCapacity(page.records.count + 64)
        output.append(contentsOf: #"{"data":["#.utf8)
        output.append(contentsOf: page.records)
        output.append(contentsOf: #"],"next_cursor":"#.utf8)
        (page.nextCursor.map { JSONValue.string($0) } ?? .null).write(to: &output)
        if let total = page.total { output.append(contentsOf: #","total":\#(total)"#.utf8) }
        output.append(UInt8(ascii: "}"))
        return APIResponse.json(bytes: output)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let body = try await APIResponse.body(request, context: context)
        // People and companies are checked for likely duplicates as they are created:
        // `?on_duplicate=refuse` refuses the write (409 listing them), otherwise the response
        // says how many there are and where to see them.
        let checked = ["leads", "contacts", "companies"].contains(entity)
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        switch query["on_duplicate"] {
        case nil, "allow": break
        case "refuse":
            if checked {
                let matches = try await services.duplicates.duplicates(ofInput: body, entity: entity, scope: scope)
                if !matches.isEmpty { throw DuplicatesFound(matches: matches) }
            }
        default:
            throw CRMError.validation([
                ValidationIssue(field: "on_duplicate", code: "choice", message: "on_duplicate must be allow or refuse")
            ])
        }
        let record = try await services.records.create(body, entity: entity, scope: scope)
        var headers = HTTPFields()
        headers[.location] = "/api/v1/\(entity)/\(record.id.lowercased)"
        headers[.eTag] = "\"\(record.version)\""
        if checked {
            let count = try await services.duplicates.count(of: record, scope: scope)
            if count > 0 {
                headers[.clienteleDuplicates] = String(count)
                headers[.link] = "</api/v1/\(entity)/\(record.id.lowercased)/duplicates>; rel=\"duplicates\""
            }
        }
        return APIResponse.json(record.json, status: .created, headers: headers)
    }

    /// The most records one batch request may create.
    static let batchLimit = 1_000

    /// `POST /{entity}/batch` with `{"records": [...]}`: up to 1,000 records in one transaction,
    /// all or none (issues name the row: `rows[3].email`). Answers their ids and numbers in order,
    /// and for leads, contacts and companies the likely duplicates each has (by shared phone,
    /// e-mail, tax id or name words) among the stored records and the batch itself.
    @Sendable func createBatch(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: APIResponse.maximumBatchBodySize)
        } catch {
            throw CRMError.payloadTooLarge(limit: APIResponse.maximumBatchBodySize)
        }
        let body = try await APIResponse.body(request, context: context, buffer: buffer)
        guard case .array(let rows)? = body.objectValue?["records"], body.objectValue?.count == 1 else {
            throw CRMError.validation([
                ValidationIssue(field: "records", code: "required", message: "the body is {\"records\": [...]} and nothing else")
            ])
        }
        guard (1...Self.batchLimit).contains(rows.count) else {
            throw CRMError.validation([
                ValidationIssue(field: "records", code: "range", message: "a batch holds 1 to \(Self.batchLimit) records")
            ])
        }
        let result = try await services.records.createMany(rows, entity: entity, scope: scope)
        let data: [JSONValue] = zip(result.records, result.duplicates).map { record, duplicates in
            var item: JSONObject = ["id": .string(record.id.lowercased), "number": .string(record.number)]
            if !duplicates.isEmpty {
                item["duplicates"] = .array(
                    duplicates.sorted { $1.key.precedes($0.key) }.map { id, reasons in
                        ["id": .string(id.lowercased), "reasons": .array(reasons.sorted().map { .string($0) })]
                    })
            }
            return .object(item)
        }
        return APIResponse.json(["data": .array(data)], status: .created)
    }

    @Sendable func get(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        // Written straight from the row, as list pages are (a test holds both forms equal).
        let record = try await services.records.getJSON(id: id, entity: entity, scope: scope)
        return APIResponse.json(bytes: record.json, headers: [.eTag: "\"\(record.version)\""])
    }

    @Sendable func update(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        let expected = try Self.expectedVersion(request.headers[.ifMatch])
        let body = try await APIResponse.body(request, context: context)
        let record = try await services.records.update(body, id: id, expectedVersion: expected, entity: entity, scope: scope)
        return APIResponse.json(record.json, headers: [.eTag: "\"\(record.version)\""])
    }

    @Sendable func delete(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        try await services.records.delete(id: id, entity: entity, scope: scope)
        return Response(status: .noContent)
    }

    @Sendable func history(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try APIResponse.uuid(context.parameters.get("id"), entity: entity)
        let query = Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
        let limit = try HistoryController.limit(query["limit"])
        let entries = try await services.history.recordHistory(
            id: id, entity: entity, limit: limit, before: query["before"].flatMap(UUID.init(uuidString:)), scope: scope)
        return APIResponse.json(HistoryController.page(entries, limit: limit))
    }

    /// `If-Match: 3`, `"3"` or `W/"3"`; `*` means any version.
    static func expectedVersion(_ header: String?) throws -> Int64? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty, header != "*" else { return nil }
        var text = header.hasPrefix("W/") ? String(header.dropFirst(2)) : header
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int64(text), version > 0 else {
            throw CRMError.badRequest(code: "invalid_if_match", message: "If-Match must carry the record version, e.g. If-Match: \"3\"")
        }
        return version
    }
}

/// A create refused because likely duplicates exist (`?on_duplicate=refuse`).
struct DuplicatesFound: Error {
    let matches: [DuplicateService.Match]
}

extension HTTPField.Name {
    /// How many likely duplicates a created record has.
    static let clienteleDuplicates = Self("Clientele-Duplicates")!
    static let link = Self("Link")!
}
