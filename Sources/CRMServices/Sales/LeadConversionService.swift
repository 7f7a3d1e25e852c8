import CRMCore
import CRMStorage
import Foundation

/// Converts a qualified lead into a contact, a company (new or existing) and a deal, in one
/// transaction. Each part carries the lead's data and source, the parts are linked to each other
/// and to the lead, and the lead becomes `converted` (read-only from then on).
///
/// Body: `{"contact": {overrides}, "company": {overrides} | {"id": existing}, "deal": {overrides}}`;
/// a part that is absent (or `false`) is not created; `true` is the same as `{}`.
public struct LeadConversionService: Sendable {
    let records: RecordService

    public struct Result: Sendable {
        public var lead: EntityRecord
        public var contact: EntityRecord?
        public var company: EntityRecord?
        public var deal: EntityRecord?
        public var companyCreated: Bool
    }

    public func convert(id: UUID, body: JSONValue, scope: AccessScope) async throws -> Result {
        let entities = try await records.metadata.entities(scope: scope)
        guard let leads = entities["leads"], let contacts = entities["contacts"], let companies = entities["companies"],
            let deals = entities["deals"]
        else { throw CRMError.unknownEntity("leads") }
        guard case .object(let object) = body else {
            throw CRMError.badRequest(code: "not_an_object", message: "the body must be a JSON object, got \(body.kindName)")
        }
        var issues: [ValidationIssue] = []
        for (key, _) in object where !["contact", "company", "deal"].contains(key) {
            issues.append(ValidationIssue(field: key, code: "unknown_field", message: "a conversion takes contact, company and deal"))
        }
        func part(_ name: String, _ entity: EntityDefinition) -> [String: FieldValue]? {
            switch object[name] {
            case nil, .null?, .bool(false)?: return nil
            case .bool(true)?: return [:]
            case .object(var fields)?:
                if name == "company", fields["id"] != nil { return nil }
                fields["id"] = nil
                switch RecordInput.validate(.object(fields), for: entity, mode: .update) {
                case .success(let values): return values
                case .failure(.validation(let found)):
                    issues += found.map { ValidationIssue(field: "\(name).\($0.field)", code: $0.code, message: "\(name): \($0.message)") }
                    return [:]
                case .failure(let error): issues.append(ValidationIssue(field: name, code: "invalid", message: "\(error)"))
                }
                return [:]
            default:
                issues.append(
                    ValidationIssue(field: name, code: "type", message: "\(name) must be an object of field values, true or false"))
                return nil
            }
        }
        let contactInput = part("contact", contacts)
        let companyInput = part("company", companies)
        let dealInput = part("deal", deals)
        var existingCompanyID: UUID?
        if case .object(let fields)? = object["company"], let raw = fields["id"] {
            if let id = raw.stringValue.flatMap(UUID.parse), fields.count == 1 {
                existingCompanyID = id
            } else {
                issues.append(
                    ValidationIssue(field: "company.id", code: "format", message: "company.id links an existing company and goes alone"))
            }
        }
        if contactInput == nil, companyInput == nil, dealInput == nil, existingCompanyID == nil, issues.isEmpty {
            issues.append(ValidationIssue(field: "contact", code: "required", message: "say what to create: contact, company and/or deal"))
        }
        if !issues.isEmpty { throw CRMError.validation(issues) }
        let linkedCompanyID = existingCompanyID
        return try await records.write(scope: scope) { writer in
            guard
                let lead = try await RecordStore.fetch(
                    id: id, entity: leads, scope: scope, access: .visible(.read), forUpdate: true, on: writer.connection)
            else {
                throw CRMError.recordNotFound(entity: "leads", id: id.lowercased)
            }
            try await writer.authorize(.edit, lead, entity: leads)
            switch lead.values["status"]?.plainText {
            case "converted":
                throw CRMError.conflict(code: "lead_converted", message: "lead \(lead.number) is already converted")
            case "junk":
                throw CRMError.conflict(
                    code: "lead_junk", message: "lead \(lead.number) is junk; change its status before converting it")
            default: break
            }
            let value = { (name: String) in lead.values[name] }
            var company: Record?
            if let linkedCompanyID {
                company = try await RecordStore.fetch(
                    id: linkedCompanyID, entity: companies, scope: scope, access: .visible(.read), on: writer.connection)
                guard company != nil else {
                    throw CRMError.validation([
                        ValidationIssue(field: "company.id", code: "reference", message: "company.id points at no company")
                    ])
                }
            } else if let companyInput {
                var input = Self.carry(
                    from: lead,
                    map: [
                        "company_name": "name", "phone": "phone", "email": "email", "website": "website", "industry": "industry",
                        "annual_revenue": "annual_revenue", "employees": "employees", "address": "legal_address", "rating": "rating",
                        "description": "description",
                    ])
                input["owner_id"] = lead.ownerID.map { .uuid($0) }
                input["lead_id"] = .uuid(lead.id)
                input.merge(companyInput) { _, new in new }
                company = try await Self.create(input, part: "company", entity: companies, writer: writer)
            }
            var contact: Record?
            if let contactInput {
                var input = Self.carry(
                    from: lead,
                    map: [
                        "first_name": "first_name", "last_name": "last_name", "title": "title", "phone": "phone_work",
                        "mobile": "phone_mobile", "email": "email", "email_other": "email_other", "source": "source",
                        "address": "address", "description": "description",
                    ])
                input["owner_id"] = lead.ownerID.map { .uuid($0) }
                input["lead_id"] = .uuid(lead.id)
                if let company { input["company_id"] = .uuid(company.id) }
                input.merge(contactInput) { _, new in new }
                contact = try await Self.create(input, part: "contact", entity: contacts, writer: writer)
            }
            var deal: Record?
            if let dealInput {
                let name = [value("company_name"), value("last_name"), value("first_name")].compactMap { $0?.plainText }.first
                var input: [String: FieldValue] = [
                    "title": .text(name.map { "\($0) — \(lead.number)" } ?? lead.number), "lead_id": .uuid(lead.id),
                ]
                input["source"] = value("source")
                input["description"] = value("description")
                input["owner_id"] = lead.ownerID.map { .uuid($0) }
                if let company { input["company_id"] = .uuid(company.id) }
                if let contact { input["contact_id"] = .uuid(contact.id) }
                input.merge(dealInput) { _, new in new }
                deal = try await Self.create(input, part: "deal", entity: deals, writer: writer)
                if let contact, let deal {
                    try await LinkStore.upsert(
                        RecordLink(
                            id: UUIDv7.make(at: writer.now), kind: RelationKind.dealContact.rawValue, fromID: deal.id, toEntity: "contact",
                            toID: contact.id, role: "decision_maker", title: nil, isPrimary: true, createdAt: writer.now,
                            createdBy: scope.userID), scope: scope, on: writer.connection)
                }
            }
            var leadChanges: [String: FieldValue] = [
                "status": .text("converted"), "converted_at": .datetime(writer.now),
            ]
            if let contact { leadChanges["converted_contact_id"] = .uuid(contact.id) }
            if let company { leadChanges["converted_company_id"] = .uuid(company.id) }
            if let deal { leadChanges["converted_deal_id"] = .uuid(deal.id) }
            let converted = try await writer.apply(leadChanges, to: lead, entity: leads, action: .convert)
            return Result(
                lead: EntityRecord(record: converted, entity: leads, seenBy: scope),
                contact: contact.map { EntityRecord(record: $0, entity: contacts, seenBy: scope) },
                company: company.map { EntityRecord(record: $0, entity: companies, seenBy: scope) },
                deal: deal.map { EntityRecord(record: $0, entity: deals, seenBy: scope) },
                companyCreated: linkedCompanyID == nil && company != nil)
        }
    }

    /// Lead values under the target entity's field names.
    static func carry(from lead: Record, map: [String: String]) -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        for (from, to) in map {
            if let value = lead.values[from] { values[to] = value }
        }
        return values
    }

    /// Creates one part; its validation problems are reported under the part's name.
    static func create(_ input: [String: FieldValue], part: String, entity: EntityDefinition, writer: RecordWriter) async throws -> Record {
        do {
            return try await writer.create(input, entity: entity, action: .convert)
        } catch CRMError.validation(let found) {
            throw CRMError.validation(
                found.map { ValidationIssue(field: "\(part).\($0.field)", code: $0.code, message: "\(part): \($0.message)") })
        }
    }
}
