import CRMCore
import CRMStorage
import Foundation

/// Likely duplicates of a record: the same phone (by its digits, whatever the formatting), the
/// same e-mail (case-insensitive), the same tax id (INN), or a similar name — also across
/// Cyrillic and Latin spellings (`NameMatching`). Candidates come from the match keys (exact phone
/// keys, e-mails, INNs, name skeleton words and pairs; a few of the newest per key), then each is
/// scored here.
public struct DuplicateService: Sendable {
    let records: RecordService

    public struct Match: Sendable {
        public var record: EntityRecord
        public var score: Double
        public var reasons: [String]

        /// Without the full record (the create response lists them so).
        public var summaryJSON: JSONValue {
            [
                "entity": .string(record.entity.pluralName), "id": .string(record.id.lowercased), "number": .string(record.number),
                "title": .string(record.record.title(in: record.entity)), "score": .decimal(Decimal(Int((score * 100).rounded())) / 100),
                "reasons": .array(reasons.map { .string($0) }),
            ]
        }

        public var json: JSONValue {
            [
                "id": .string(record.id.lowercased), "number": .string(record.number),
                "title": .string(record.record.title(in: record.entity)),
                "score": .decimal(Decimal(Int((score * 100).rounded())) / 100), "reasons": .array(reasons.map { .string($0) }),
                "record": record.json,
            ]
        }
    }

    /// Duplicates of a stored record.
    public func duplicates(of id: UUID, entity pluralName: String, scope: AccessScope, limit: Int = 20) async throws -> [Match] {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            guard let record = try await RecordStore.fetch(id: id, entity: entity, scope: scope, access: .visible(.read), on: connection)
            else {
                throw CRMError.recordNotFound(entity: pluralName, id: id.lowercased)
            }
            return try await Self.find(like: record, entity: entity, limit: limit, scope: scope, on: connection)
        }
    }

    /// How many likely duplicates a record just written has, at most `limit` (the create
    /// response announces them; the form page warns). The candidates are read for the fields
    /// compared only.
    public func count(of record: EntityRecord, scope: AccessScope, limit: Int = 20) async throws -> Int {
        try await records.database.read(workspace: scope.workspaceID) { connection in
            try await Self.find(like: record.record, entity: record.entity, limit: limit, compared: true, scope: scope, on: connection)
                .count
        }
    }

    /// Duplicates of a create body, before it is written.
    public func duplicates(ofInput body: JSONValue, entity pluralName: String, scope: AccessScope) async throws -> [Match] {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        let values = try RecordInput.validate(body, for: entity, mode: .create).get()
        let probe = Self.unsaved(values.filter { !$0.value.isNull }, entity: entity)
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            try await Self.find(like: probe, entity: entity, limit: 20, scope: scope, on: connection)
        }
    }

    /// Duplicates of values not stored yet: `phone`, `email`, `inn`, `name` or any field of the entity.
    public func duplicates(matching parameters: [(String, String)], entity pluralName: String, scope: AccessScope) async throws
        -> [Match]
    {
        let entity = try await records.metadata.entity(pluralName, scope: scope)
        var values: [String: FieldValue] = [:]
        var extraPhones: [String] = []
        var extraEmails: [String] = []
        var name: String?
        var issues: [ValidationIssue] = []
        var limit = 20
        for (key, value) in parameters {
            switch key {
            case "phone": extraPhones.append(value)
            case "email": extraEmails.append(value)
            case "name": name = value
            case "limit":
                if let number = Int(value), (1...100).contains(number) {
                    limit = number
                } else {
                    issues.append(ValidationIssue(field: "limit", code: "range", message: "limit must be 1 to 100"))
                }
            default:
                guard let field = entity.field(named: key), !field.isSystem, !scope.hiddenFields(entity.pluralName).contains(key) else {
                    issues.append(ValidationIssue(field: key, code: "unknown_field", message: "\(entity.name) has no field \(key)"))
                    continue
                }
                values[key] = .text(value)
            }
        }
        if let name { values[entity.titleFields.first ?? "name"] = .text(name) }
        if values.isEmpty && extraPhones.isEmpty && extraEmails.isEmpty && issues.isEmpty {
            issues.append(
                ValidationIssue(field: "phone", code: "required", message: "give phone, email, inn, name or field values to compare"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let probe = Self.unsaved(values, entity: entity)
        let (phones, emails, finalLimit) = (extraPhones, extraEmails, limit)
        return try await records.database.read(workspace: scope.workspaceID) { connection in
            try await Self.find(
                like: probe, entity: entity, extraPhones: phones, extraEmails: emails, limit: finalLimit, scope: scope, on: connection)
        }
    }

    /// A record that is not stored, to compare values with.
    static func unsaved(_ values: [String: FieldValue], entity: EntityDefinition) -> Record {
        Record(
            entity: entity.name, id: UUID(), number: "", ownerID: nil, tags: [], createdAt: Date(), createdBy: nil, updatedAt: Date(),
            updatedBy: nil, version: 1, values: values)
    }

    static func find(
        like record: Record, entity: EntityDefinition, extraPhones: [String] = [], extraEmails: [String] = [],
        limit: Int, compared: Bool = false, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [Match] {
        guard checks(entity) else {
            throw CRMError.notFound("\(entity.pluralName) are not checked for duplicates (leads, contacts and companies are)")
        }
        let probe = Probe(record, entity: entity, extraPhones: extraPhones, extraEmails: extraEmails)
        // A bounded look-up: the newest few records per exact key and per name pair, in one
        // statement, then the candidates themselves in one more.
        let ids = try await MatchKeyStore.candidates(
            probe.lookupKeys.map { ($0, MatchKeys.isExact($0) ? candidatesPerKey : candidatesPerName) }, entity: entity.pluralName,
            scope: scope, on: connection
        ).filter { $0 != record.id }
        var matches: [Match] = []
        // Matches are written as the caller sees the entity: fields hidden from them stay out.
        let seen = entity.hiding(scope.hiddenFields(entity.pluralName))
        let candidates = try await RecordStore.fetch(
            ids: ids, entity: entity, columns: compared ? comparedColumns(entity) : nil, scope: scope, access: .visible(.read),
            on: connection)
        for candidate in candidates {
            let other = Probe(candidate, entity: entity)
            var reasons: [String] = []
            var score = 0.0
            if !probe.phoneKeys.isDisjoint(with: other.phoneKeys) {
                reasons.append("phone")
                score = 1
            }
            if !probe.emails.isDisjoint(with: other.emails) {
                reasons.append("email")
                score = 1
            }
            if let inn = probe.inn, inn == other.inn {
                reasons.append("inn")
                score = 1
            }
            if !probe.name.isEmpty, !other.name.isEmpty {
                let similarity = NameMatching.similarity(probe.name, other.name)
                if similarity >= 0.85 {
                    reasons.append("name")
                    score = max(score, similarity)
                }
            }
            if !reasons.isEmpty {
                matches.append(Match(record: EntityRecord(record: candidate, entity: seen), score: score, reasons: reasons))
            }
        }
        // Best first; among equals the newest.
        matches.sort { left, right in
            if (left.score, left.reasons.count) != (right.score, right.reasons.count) {
                return (left.score, left.reasons.count) > (right.score, right.reasons.count)
            }
            return right.record.id.precedes(left.record.id)
        }
        return Array(matches.prefix(limit))
    }

    /// Likely duplicates of many records written in this transaction (a batch), found from the
    /// match keys alone: a shared phone, e-mail or tax id is that reason; a shared pair of name
    /// words (or a one-word name) is "name". One statement per few hundred keys, no record reads.
    /// Records of the same batch count too (an import file often holds a person twice).
    static func keyMatches(
        of records: [Record], entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection
    ) async throws -> [[UUID: Set<String>]] {
        guard checks(entity) else { return records.map { _ in [:] } }
        let keys = records.map { Probe($0, entity: entity).lookupKeys }
        // The records stored before, from the index as it was (on SQLite the batch's own
        // documents are still pending: reading them would write them out as a segment of their
        // own before the COMMIT writes another); the batch's records, from their keys here.
        let stored = try await MatchKeyStore.holders(
            keys.flatMap { $0 }, limit: batchCandidatesPerKey, entity: entity.pluralName, scope: scope,
            on: connection.storedFullTextOnly)
        var batch: [String: [UUID]] = [:]
        for record in records {
            for key in storedKeys(record, entity: entity) { batch[key, default: []].append(record.id) }
        }
        // Each key's newest holders, as one look-up after the writes would give them (once per
        // key: a batch of namesakes shares its name keys).
        var newest: [String: [UUID]] = [:]
        for key in Set(keys.joined()) {
            var seen = Set<UUID>()
            newest[key] = Array(
                ((batch[key] ?? []) + (stored[key] ?? [])).filter { seen.insert($0).inserted }.sorted { $1.precedes($0) }
                    .prefix(batchCandidatesPerKey))
        }
        return zip(records, keys).map { record, keys in
            var found: [UUID: Set<String>] = [:]
            for key in keys {
                for id in newest[key] ?? [] where id != record.id { found[id, default: []].insert(reason(of: key)) }
            }
            return found
        }
    }

    /// How many records per key a batch looks at.
    static let batchCandidatesPerKey = 5

    static func reason(of key: String) -> String {
        switch key.prefix(2) {
        case "p:": "phone"
        case "e:": "email"
        case "i:": "inn"
        default: "name"
        }
    }

    /// How many of the newest records one exact key (phone, e-mail, tax id) brings as candidates.
    static let candidatesPerKey = 25
    /// How many of the newest namesakes one name key brings: a shared name alone is a weak sign,
    /// and reading more of the thousands of Ivan Ivanovs would make every create pay for them.
    static let candidatesPerName = 10

    /// Entities whose records are kept under match keys and checked for duplicates.
    static let checkedEntities: Set<String> = ["lead", "contact", "company"]

    static func checks(_ entity: EntityDefinition) -> Bool { checkedEntities.contains(entity.name) }

    /// The keys a record is stored under (empty for entities not checked).
    static func storedKeys(_ record: Record, entity: EntityDefinition) -> [String] {
        guard checks(entity) else { return [] }
        let probe = Probe(record, entity: entity)
        return MatchKeys.stored(phoneKeys: probe.phoneKeys.sorted(), emails: probe.emails.sorted(), inn: probe.inn, name: probe.name)
    }

    /// The columns `Probe` reads: phones, e-mails, the tax id and the name (a custom phone or
    /// e-mail field lives in `custom`).
    static func comparedColumns(_ entity: EntityDefinition) -> [String] {
        var columns = ["id", "number"]
        var names = Set(entity.titleFields + ["first_name", "last_name", "inn"])
        for field in entity.fields where field.type == .phone || field.type == .email { names.insert(field.name) }
        for name in names.sorted() {
            guard let field = entity.field(named: name) else { continue }
            if field.isCustom {
                if !columns.contains("custom") { columns.append("custom") }
            } else {
                columns.append(name)
            }
        }
        return columns
    }

    /// What one record is compared by.
    struct Probe {
        var phoneKeys: Set<String> = []
        var emails: Set<String> = []
        var inn: String?
        var name = ""

        init(_ record: Record, entity: EntityDefinition, extraPhones: [String] = [], extraEmails: [String] = []) {
            var phones = extraPhones
            // Stored e-mails are already trimmed (`EmailAddress.normalize`); typed ones are not.
            var mails = extraEmails.map { $0.trimmingCharacters(in: .whitespaces) }
            // A record holds a few values of the entity's many fields: walk the values.
            for (name, value) in record.values {
                guard let type = entity.field(named: name)?.type, type == .phone || type == .email, let text = value.plainText
                else { continue }
                if type == .phone { phones.append(text) } else { mails.append(text) }
            }
            phoneKeys = Set(phones.compactMap(PhoneNumber.matchKey))
            emails = Set(mails.map { $0.lowercased() }.filter { !$0.isEmpty })
            if let raw = record.values["inn"]?.plainText {
                let digits = raw.filter(\.isNumber)
                inn = digits.count >= 9 ? digits : nil
            }
            // A lead's title includes its company; a lead with a person's name is compared by that name.
            let personal = ["first_name", "last_name"].compactMap { record.values[$0]?.plainText }
            let fields = entity.name == "lead" && !personal.isEmpty ? ["first_name", "last_name"] : entity.titleFields
            name = fields.compactMap { record.values[$0]?.plainText }.filter { !$0.isEmpty }.joined(separator: " ")
        }

        var lookupKeys: [String] {
            MatchKeys.lookup(phoneKeys: phoneKeys.sorted(), emails: emails.sorted(), inn: inn, name: name)
        }
    }
}
