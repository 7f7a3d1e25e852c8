import CRMCore
import CRMServices
import Foundation
import Hummingbird

/// The sales core's endpoints beside the generic records API: conversion, copies, pipelines,
/// links, timeline, stage history, duplicates and merges, follows and notifications, counters,
/// the funnel and the sales settings.
struct SalesController {
    let services: Services

    func addRoutes(to group: RouterGroup<AppContext>) {
        // Entity names are parameters here: a static `leads/...` route would hide `/leads` itself.
        group.post(":entity/:id/convert", use: convert)
        group.get("pipelines", use: pipelines)
        group.post("pipelines", use: createPipeline)
        group.get("pipelines/:id", use: pipeline)
        group.patch("pipelines/:id", use: updatePipeline)
        group.delete("pipelines/:id", use: deletePipeline)
        group.get("settings/sales", use: settings)
        group.patch("settings/sales", use: updateSettings)
        group.get("counters", use: counters)
        group.get("notifications", use: notifications)
        group.post("notifications/read", use: readAll)
        group.post("notifications/:id/read", use: read)
        group.post("notifications/:id/unread", use: unread)
        group.get("reports/funnel", use: funnel)
        group.post("merges/:id/undo", use: undoMerge)
        group.get(":entity/:id/stages", use: stages)
        group.get(":entity/duplicates", use: findDuplicates)
        group.post(":entity/merge", use: merge)
        group.post(":entity/:id/copy", use: copy)
        group.get(":entity/:id/duplicates", use: duplicates)
        group.get(":entity/:id/timeline", use: timeline)
        group.post(":entity/:id/follow", use: follow)
        group.delete(":entity/:id/follow", use: unfollow)
        group.get(":entity/:id/followers", use: followers)
        group.get(":entity/:id/:relation", use: relation)
        group.post(":entity/:id/:relation", use: link)
        group.delete(":entity/:id/:relation/:other", use: unlink)
    }

    static func id(_ context: AppContext, _ name: String = "id", entity: String) throws -> UUID {
        try APIResponse.uuid(context.parameters.get(name), entity: entity)
    }

    /// Endpoints of one entity under the generic `:entity` segment.
    static func require(_ context: AppContext, entity: String, for action: String) throws {
        let given = try context.parameters.require("entity")
        guard given == entity else { throw CRMError.notFound("\(given) have no \(action); only \(entity) do") }
    }

    static func query(_ request: Request) throws -> [String: String] {
        Dictionary(try APIResponse.queryItems(request), uniquingKeysWith: { _, last in last })
    }

    static func limit(_ text: String?, default value: Int = 50, maximum: Int = 200) throws -> Int {
        guard let text else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw CRMError.validation([ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to \(maximum)")])
        }
        return limit
    }

    static func cursor(_ text: String?) throws -> UUID? {
        guard let text else { return nil }
        guard let id = UUID.parse(text) else {
            throw CRMError.validation([
                ValidationIssue(field: "before", code: "format", message: "before must be a cursor from a previous page")
            ])
        }
        return id
    }

    // MARK: - Leads

    @Sendable func convert(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        try Self.require(context, entity: "leads", for: "convert")
        let id = try Self.id(context, entity: "leads")
        let result = try await services.conversion.convert(
            id: id, body: try await APIResponse.body(request, context: context), scope: scope)
        return APIResponse.json([
            "lead": result.lead.json, "contact": result.contact?.json ?? .null, "company": result.company?.json ?? .null,
            "deal": result.deal?.json ?? .null, "company_created": .bool(result.companyCreated),
        ])
    }

    @Sendable func copy(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try Self.id(context, entity: entity)
        let buffer = try await request.body.collect(upTo: APIResponse.maximumBodySize)
        // `nil` alone would be JSONValue's own null literal here.
        let body: JSONValue? =
            buffer.readableBytes == 0 ? Optional.none : try await APIResponse.body(request, context: context, buffer: buffer)
        let record = try await services.records.copy(id: id, overrides: body, entity: entity, scope: scope)
        var headers = HTTPFields()
        headers[.location] = "/api/v1/\(entity)/\(record.id.lowercased)"
        headers[.eTag] = "\"\(record.version)\""
        return APIResponse.json(record.json, status: .created, headers: headers)
    }

    // MARK: - Pipelines and settings

    @Sendable func pipelines(_ request: Request, context: AppContext) async throws -> Response {
        let list = try await services.pipelines.list(scope: try context.requireScope())
        return APIResponse.json(["data": .array(list.map(\.json))])
    }

    @Sendable func pipeline(_ request: Request, context: AppContext) async throws -> Response {
        let pipeline = try await services.pipelines.get(id: try Self.id(context, entity: "pipelines"), scope: try context.requireScope())
        return APIResponse.json(pipeline.json)
    }

    @Sendable func createPipeline(_ request: Request, context: AppContext) async throws -> Response {
        let pipeline = try await services.pipelines.create(
            try await APIResponse.body(request, context: context), scope: try context.requireScope())
        return APIResponse.json(pipeline.json, status: .created, headers: [.location: "/api/v1/pipelines/\(pipeline.id.lowercased)"])
    }

    @Sendable func updatePipeline(_ request: Request, context: AppContext) async throws -> Response {
        let id = try Self.id(context, entity: "pipelines")
        let pipeline = try await services.pipelines.update(
            id: id, try await APIResponse.body(request, context: context), scope: try context.requireScope())
        return APIResponse.json(pipeline.json)
    }

    @Sendable func deletePipeline(_ request: Request, context: AppContext) async throws -> Response {
        try await services.pipelines.delete(id: try Self.id(context, entity: "pipelines"), scope: try context.requireScope())
        return Response(status: .noContent)
    }

    @Sendable func settings(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(try await services.pipelines.settings(scope: try context.requireScope()))
    }

    @Sendable func updateSettings(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(
            try await services.pipelines.updateSettings(
                try await APIResponse.body(request, context: context), scope: try context.requireScope()))
    }

    // MARK: - Deals

    @Sendable func stages(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        try Self.require(context, entity: "deals", for: "stages")
        let id = try Self.id(context, entity: "deals")
        let stays = try await services.timeline.stages(dealID: id, scope: scope)
        let now = Timestamps.now()
        return APIResponse.json(["data": .array(stays.map { $0.json(now: now) })])
    }

    @Sendable func funnel(_ request: Request, context: AppContext) async throws -> Response {
        APIResponse.json(try await services.funnel.funnel(try APIResponse.queryItems(request), scope: try context.requireScope()).json)
    }

    // MARK: - Timeline, counters, notifications

    @Sendable func timeline(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let id = try Self.id(context, entity: entity)
        let query = try Self.query(request)
        let page = try await services.timeline.timeline(
            entity: entity, id: id, limit: try Self.limit(query["limit"]), before: try Self.cursor(query["before"]), scope: scope)
        return APIResponse.json(["data": .array(page.items), "next_cursor": page.nextCursor.map { .string($0) } ?? .null])
    }

    @Sendable func counters(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = try Self.query(request)
        var userID: UUID?
        if let raw = query["user_id"] {
            guard let id = UUID.parse(raw) else {
                throw CRMError.validation([ValidationIssue(field: "user_id", code: "format", message: "user_id must be a user id")])
            }
            userID = id
        }
        let team: Bool
        switch query["team"] {
        case nil, "false": team = false
        case "true", "all": team = true
        default: throw CRMError.validation([ValidationIssue(field: "team", code: "format", message: "team must be true or false")])
        }
        let counters = try await services.counters.counters(userID: userID, team: team, scope: scope)
        if team { return APIResponse.json(["data": .array(counters.map(\.json))]) }
        return APIResponse.json(counters.first?.json ?? .null)
    }

    @Sendable func notifications(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = try Self.query(request)
        let limit = try Self.limit(query["limit"])
        let unreadOnly: Bool
        switch query["unread"] {
        case nil, "false": unreadOnly = false
        case "true": unreadOnly = true
        default: throw CRMError.validation([ValidationIssue(field: "unread", code: "format", message: "unread must be true or false")])
        }
        let (entries, unread) = try await services.follows.notifications(
            unreadOnly: unreadOnly, before: try Self.cursor(query["before"]), limit: limit + 1, scope: scope)
        let page = Array(entries.prefix(limit))
        return APIResponse.json([
            "data": .array(page.map(\.json)), "unread": .int(Int64(unread)),
            "next_cursor": entries.count > limit ? page.last.map { .string($0.id.lowercased) } ?? .null : .null,
        ])
    }

    @Sendable func read(_ request: Request, context: AppContext) async throws -> Response {
        let changed = try await services.follows.mark(
            id: try Self.id(context, entity: "notifications"), read: true, scope: try context.requireScope())
        return APIResponse.json(["changed": .int(Int64(changed))])
    }

    @Sendable func unread(_ request: Request, context: AppContext) async throws -> Response {
        let changed = try await services.follows.mark(
            id: try Self.id(context, entity: "notifications"), read: false, scope: try context.requireScope())
        return APIResponse.json(["changed": .int(Int64(changed))])
    }

    @Sendable func readAll(_ request: Request, context: AppContext) async throws -> Response {
        let changed = try await services.follows.mark(id: nil, read: true, scope: try context.requireScope())
        return APIResponse.json(["changed": .int(Int64(changed))])
    }

    @Sendable func follow(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        return Self.followers(try await services.follows.follow(entity: entity, id: try Self.id(context, entity: entity), scope: scope))
    }

    @Sendable func unfollow(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        try await services.follows.unfollow(entity: entity, id: try Self.id(context, entity: entity), scope: scope)
        return Response(status: .noContent)
    }

    @Sendable func followers(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        return Self.followers(try await services.follows.followers(entity: entity, id: try Self.id(context, entity: entity), scope: scope))
    }

    static func followers(_ ids: [UUID]) -> Response {
        APIResponse.json(["followers": .array(ids.map { .string($0.lowercased) })])
    }

    // MARK: - Duplicates and merges

    @Sendable func findDuplicates(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let matches = try await services.duplicates.duplicates(matching: try APIResponse.queryItems(request), entity: entity, scope: scope)
        return APIResponse.json(["data": .array(matches.map(\.json))])
    }

    @Sendable func duplicates(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let matches = try await services.duplicates.duplicates(of: try Self.id(context, entity: entity), entity: entity, scope: scope)
        return APIResponse.json(["data": .array(matches.map(\.json))])
    }

    @Sendable func merge(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let result = try await services.merges.merge(try await APIResponse.body(request, context: context), entity: entity, scope: scope)
        return APIResponse.json(["survivor": result.survivor.json, "merge": result.merge.json])
    }

    @Sendable func undoMerge(_ request: Request, context: AppContext) async throws -> Response {
        let merge = try await services.merges.undo(id: try Self.id(context, entity: "merges"), scope: try context.requireScope())
        return APIResponse.json(merge.json)
    }

    // MARK: - Links

    @Sendable func relation(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let items = try await services.relations.list(
            entity: entity, id: try Self.id(context, entity: entity), relation: try context.parameters.require("relation"), scope: scope)
        return APIResponse.json(["data": .array(items.map(\.json))])
    }

    @Sendable func link(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let item = try await services.relations.add(
            try await APIResponse.body(request, context: context), entity: entity, id: try Self.id(context, entity: entity),
            relation: try context.parameters.require("relation"), scope: scope)
        return APIResponse.json(item.json, status: .created)
    }

    @Sendable func unlink(_ request: Request, context: AppContext) async throws -> Response {
        let scope = try context.requireScope()
        let entity = try context.parameters.require("entity")
        let relation = try context.parameters.require("relation")
        try await services.relations.remove(
            entity: entity, id: try Self.id(context, entity: entity), relation: relation,
            otherID: try Self.id(context, "other", entity: relation), scope: scope)
        return Response(status: .noContent)
    }
}
