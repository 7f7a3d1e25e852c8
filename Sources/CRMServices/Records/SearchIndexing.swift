import CRMCore
import CRMStorage

/// What a record contributes to the cross-entity search.
enum SearchIndexing {
    static func index(_ record: Record, entity: EntityDefinition, scope: AccessScope, on connection: any DatabaseConnection) async throws {
        var text: [String] = [record.number]
        var phones: [String] = []
        var emails: [String] = []
        for field in entity.fields {
            guard let value = record.values[field.name], let plain = value.plainText else { continue }
            switch field.type {
            case .phone: phones.append(plain)
            case .email: emails.append(plain)
            default: if field.isSearchable { text.append(plain) }
            }
        }
        let subtitle =
            (emails + phones).first ?? entity.fields.first { $0.name == "company_name" }.flatMap { record.values[$0.name]?.plainText }
        try await SearchIndexStore.upsert(
            entity: entity.pluralName, id: record.id, title: record.title(in: entity), subtitle: subtitle,
            terms: SearchTerms.document(
                text: text, names: entity.titleFields.compactMap { record.values[$0]?.plainText }, phones: phones, emails: emails),
            scope: scope, on: connection)
    }
}
