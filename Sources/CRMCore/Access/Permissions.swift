import Foundation

/// What a person does with records; a permission profile gives each a scope per entity.
public enum AccessAction: String, Sendable, Hashable, CaseIterable {
    case read, create, edit, delete, export, `import`, merge
}

/// Whose records an action reaches. Every scope but `none` includes the caller's own records;
/// `team` and `subordinates` are independent of each other (a profile list may give both).
public enum AccessLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case none, own, team, subordinates, all

    /// The order /me reports the widest of several scopes in.
    public static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How a field behaves for the people a profile applies to.
public enum FieldRule: String, Sendable, Hashable, CaseIterable {
    case hidden
    case readOnly = "read_only"
}

/// A condition on the stored record that an action needs ("edit deals only before `documents`").
public enum RecordCondition: Sendable, Hashable {
    case stageBefore(String)
    case stageIn([String])
    case stageNotIn([String])
    case statusIn([String])
    case statusNotIn([String])

    public var json: JSONValue {
        switch self {
        case .stageBefore(let key): ["stage_before": .string(key)]
        case .stageIn(let keys): ["stage_in": .array(keys.map { .string($0) })]
        case .stageNotIn(let keys): ["stage_not_in": .array(keys.map { .string($0) })]
        case .statusIn(let keys): ["status_in": .array(keys.map { .string($0) })]
        case .statusNotIn(let keys): ["status_not_in": .array(keys.map { .string($0) })]
        }
    }

    /// Whether a record with this stage / status meets the condition. `stageOrder` gives the
    /// position of each stage key in its pipeline (`stage_before` compares positions within
    /// the record's pipeline; a stage of another pipeline never counts as before).
    public func holds(stage: String?, status: String?, stageOrder: (String) -> (pipeline: UUID, position: Int)?) -> Bool {
        switch self {
        case .stageBefore(let key):
            guard let stage, let current = stageOrder(stage), let limit = stageOrder(key) else { return false }
            return current.pipeline == limit.pipeline && current.position < limit.position
        case .stageIn(let keys): return stage.map(keys.contains) ?? false
        case .stageNotIn(let keys): return !(stage.map(keys.contains) ?? false)
        case .statusIn(let keys): return status.map(keys.contains) ?? false
        case .statusNotIn(let keys): return !(status.map(keys.contains) ?? false)
        }
    }
}

/// One permission profile's rules: per entity (plural API name) and action a scope, per field
/// a rule, per action a condition. An entity or action left out is `none`.
public struct ProfileRules: Sendable, Hashable {
    public var permissions: [String: [AccessAction: AccessLevel]]
    public var fields: [String: [String: FieldRule]]
    public var conditions: [String: [AccessAction: RecordCondition]]

    public init(
        permissions: [String: [AccessAction: AccessLevel]] = [:], fields: [String: [String: FieldRule]] = [:],
        conditions: [String: [AccessAction: RecordCondition]] = [:]
    ) {
        self.permissions = permissions
        self.fields = fields
        self.conditions = conditions
    }

    /// Every action on every entity: what workspaces had before profiles existed.
    public static func fullAccess(entities: [String]) -> ProfileRules {
        var permissions: [String: [AccessAction: AccessLevel]] = [:]
        for entity in entities {
            permissions[entity] = Dictionary(uniqueKeysWithValues: AccessAction.allCases.map { ($0, AccessLevel.all) })
        }
        return ProfileRules(permissions: permissions)
    }

    /// Reads the three documents of a profile, checking every name against the entities
    /// (`fieldsOf` gives an entity's field names, nil for an unknown entity). Every issue is
    /// reported at once, named by its path (`permissions.deals.edit`). Stored rules are read
    /// with `fieldsOf` nil: names are taken as they are (a custom field may have gone since).
    public static func parse(
        permissions: JSONValue?, fields: JSONValue?, conditions: JSONValue?, fieldsOf: ((String) -> Set<String>?)?
    ) -> Result<ProfileRules, CRMError> {
        func knows(_ entity: String, _ field: String? = nil) -> Bool {
            guard let fieldsOf else { return true }
            guard let names = fieldsOf(entity) else { return false }
            return field.map(names.contains) ?? true
        }
        var issues: [ValidationIssue] = []
        var rules = ProfileRules()
        func issue(_ path: String, _ code: String, _ message: String) {
            issues.append(ValidationIssue(field: path, code: code, message: message))
        }
        func object(_ value: JSONValue?, _ path: String) -> JSONObject? {
            guard let value, value != .null else { return JSONObject() }
            guard let object = value.objectValue else {
                issue(path, "type", "\(path) must be an object")
                return nil
            }
            return object
        }
        if let document = object(permissions, "permissions") {
            for (entity, actions) in document {
                let path = "permissions.\(entity)"
                guard knows(entity) else {
                    issue(path, "unknown_entity", "there is no entity \(entity)")
                    continue
                }
                guard let actions = object(actions, path) else { continue }
                var levels: [AccessAction: AccessLevel] = [:]
                for (name, scope) in actions {
                    guard let action = AccessAction(rawValue: name) else {
                        issue(
                            "\(path).\(name)", "unknown_action",
                            "actions are \(AccessAction.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    guard let text = scope.stringValue, let level = AccessLevel(rawValue: text) else {
                        issue("\(path).\(name)", "scope", "scopes are \(AccessLevel.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    levels[action] = level
                }
                rules.permissions[entity] = levels
            }
        }
        if let document = object(fields, "fields") {
            for (entity, entries) in document {
                let path = "fields.\(entity)"
                guard knows(entity) else {
                    issue(path, "unknown_entity", "there is no entity \(entity)")
                    continue
                }
                guard let entries = object(entries, path) else { continue }
                var result: [String: FieldRule] = [:]
                for (name, value) in entries {
                    guard knows(entity, name), StandardFields.byName[name] == nil else {
                        issue("\(path).\(name)", "unknown_field", "\(entity) has no field \(name) that a profile can restrict")
                        continue
                    }
                    guard let text = value.stringValue, let rule = FieldRule(rawValue: text) else {
                        issue("\(path).\(name)", "rule", "a field rule is hidden or read_only")
                        continue
                    }
                    result[name] = rule
                }
                rules.fields[entity] = result
            }
        }
        if let document = object(conditions, "conditions") {
            for (entity, actions) in document {
                let path = "conditions.\(entity)"
                guard knows(entity) else {
                    issue(path, "unknown_entity", "there is no entity \(entity)")
                    continue
                }
                guard let actions = object(actions, path) else { continue }
                var result: [AccessAction: RecordCondition] = [:]
                for (name, value) in actions {
                    let actionPath = "\(path).\(name)"
                    guard let action = AccessAction(rawValue: name), action == .edit || action == .delete else {
                        issue(actionPath, "unknown_action", "conditions apply to edit and delete")
                        continue
                    }
                    guard let condition = value.objectValue, condition.count == 1,
                        let (kind, argument) = condition.first(where: { _ in true })
                    else {
                        issue(
                            actionPath, "condition", "a condition is one of stage_before, stage_in, stage_not_in, status_in, status_not_in")
                        continue
                    }
                    let needs = kind.hasPrefix("stage") ? "stage" : "status"
                    guard knows(entity, needs) else {
                        issue("\(actionPath).\(kind)", "condition", "\(entity) has no \(needs)")
                        continue
                    }
                    let keys = argument.arrayValue?.compactMap(\.stringValue)
                    switch kind {
                    case "stage_before":
                        guard let key = argument.stringValue, !key.isEmpty else {
                            issue("\(actionPath).\(kind)", "type", "stage_before takes a stage key")
                            continue
                        }
                        result[action] = .stageBefore(key)
                    case "stage_in", "stage_not_in", "status_in", "status_not_in":
                        guard let keys, keys.count == argument.arrayValue?.count, !keys.isEmpty else {
                            issue("\(actionPath).\(kind)", "type", "\(kind) takes a list of keys")
                            continue
                        }
                        result[action] =
                            switch kind {
                            case "stage_in": .stageIn(keys)
                            case "stage_not_in": .stageNotIn(keys)
                            case "status_in": .statusIn(keys)
                            default: .statusNotIn(keys)
                            }
                    default:
                        issue(
                            "\(actionPath).\(kind)", "condition",
                            "a condition is one of stage_before, stage_in, stage_not_in, status_in, status_not_in")
                    }
                }
                rules.conditions[entity] = result
            }
        }
        return issues.isEmpty || fieldsOf == nil ? .success(rules) : .failure(.validation(issues))
    }

    public var permissionsJSON: JSONValue {
        var document = JSONObject()
        for entity in permissions.keys.sorted() {
            var actions = JSONObject()
            for action in AccessAction.allCases {
                actions.append(action.rawValue, .string((permissions[entity]?[action] ?? .none).rawValue))
            }
            document.append(entity, .object(actions))
        }
        return .object(document)
    }

    public var fieldsJSON: JSONValue {
        var document = JSONObject()
        for entity in fields.keys.sorted() where !(fields[entity]?.isEmpty ?? true) {
            var entries = JSONObject()
            for (name, rule) in (fields[entity] ?? [:]).sorted(by: { $0.key < $1.key }) { entries.append(name, .string(rule.rawValue)) }
            document.append(entity, .object(entries))
        }
        return .object(document)
    }

    public var conditionsJSON: JSONValue {
        var document = JSONObject()
        for entity in conditions.keys.sorted() where !(conditions[entity]?.isEmpty ?? true) {
            var entries = JSONObject()
            for action in AccessAction.allCases {
                if let condition = conditions[entity]?[action] { entries.append(action.rawValue, condition.json) }
            }
            document.append(entity, .object(entries))
        }
        return .object(document)
    }
}

/// The rules of all of a person's profiles together: the most permissive wins.
public struct EffectiveRules: Sendable, Hashable {
    /// The scopes that reach records, per entity and action (never holds `none`).
    public var levels: [String: [AccessAction: Set<AccessLevel>]] = [:]
    /// A field is hidden when every profile hides it, read-only when none lets it be written.
    public var fields: [String: [String: FieldRule]] = [:]
    /// Conditions per entity and action; an action any profile gives without one has none here.
    /// Several conditions: meeting any one is enough.
    public var conditions: [String: [AccessAction: [RecordCondition]]] = [:]

    public init(profiles: [ProfileRules]) {
        var unconditioned: Set<String> = []
        for profile in profiles {
            for (entity, actions) in profile.permissions {
                for (action, level) in actions where level != .none {
                    levels[entity, default: [:]][action, default: []].insert(level)
                    let key = entity + "." + action.rawValue
                    if let condition = profile.conditions[entity]?[action] {
                        if !unconditioned.contains(key) { conditions[entity, default: [:]][action, default: []].append(condition) }
                    } else {
                        unconditioned.insert(key)
                        conditions[entity]?[action] = nil
                    }
                }
            }
        }
        // Fields: a rule holds only if every profile that lets the person read the entity has one.
        var entities = Set(levels.keys)
        for profile in profiles { entities.formUnion(profile.fields.keys) }
        for entity in entities {
            let readers = profiles.filter { ($0.permissions[entity]?[.read] ?? .none) != .none }
            guard !readers.isEmpty else { continue }
            var names = Set<String>()
            for profile in readers { names.formUnion(profile.fields[entity].map { Array($0.keys) } ?? []) }
            for name in names {
                let rules = readers.map { $0.fields[entity]?[name] }
                if rules.allSatisfy({ $0 == .hidden }) {
                    fields[entity, default: [:]][name] = .hidden
                } else if rules.allSatisfy({ $0 != nil }) {
                    fields[entity, default: [:]][name] = .readOnly
                }
            }
        }
    }

    public func levels(_ entity: String, _ action: AccessAction) -> Set<AccessLevel> {
        levels[entity]?[action] ?? []
    }

    /// The widest scope of an action, for clients deciding what to show.
    public func widest(_ entity: String, _ action: AccessAction) -> AccessLevel {
        levels(entity, action).max() ?? .none
    }

    public func hiddenFields(_ entity: String) -> Set<String> {
        Set((fields[entity] ?? [:]).filter { $0.value == .hidden }.keys)
    }

    public func readOnlyFields(_ entity: String) -> Set<String> {
        Set((fields[entity] ?? [:]).filter { $0.value == .readOnly }.keys)
    }
}

/// What one person may do, resolved from the workspace's teams, roles, profiles and sharing
/// rules when their token is checked. Membership is resolved here (it changes rarely and every
/// change bumps the workspace's access version); shares are per record and stay in SQL.
public struct Grants: Sendable, Hashable {
    public var userID: UUID
    public var rules: EffectiveRules
    /// The teams the person belongs to.
    public var teamIDs: [UUID]
    /// Everyone in any of those teams, the person included.
    public var teammateIDs: [UUID]
    /// Users whose role is below the person's, at any depth (the person excluded).
    public var subordinateIDs: [UUID]
    /// Owners whose records sharing rules open to the person, per entity and access
    /// (`read` or `edit`).
    public var ruleOwners: [String: [AccessAction: [UUID]]]
    public var roleID: UUID?

    public init(
        userID: UUID, rules: EffectiveRules, teamIDs: [UUID] = [], teammateIDs: [UUID] = [], subordinateIDs: [UUID] = [],
        ruleOwners: [String: [AccessAction: [UUID]]] = [:], roleID: UUID? = nil
    ) {
        self.userID = userID
        self.rules = rules
        self.teamIDs = teamIDs
        self.teammateIDs = teammateIDs
        self.subordinateIDs = subordinateIDs
        self.ruleOwners = ruleOwners
        self.roleID = roleID
    }

    /// What a scope needs of a record's owner: nil when every record qualifies, otherwise the
    /// owners whose records qualify (empty: none does).
    public func owners(_ entity: String, _ action: AccessAction) -> Set<UUID>? {
        let levels = rules.levels(entity, action)
        if levels.contains(.all) { return nil }
        var owners = Set<UUID>()
        if !levels.isEmpty { owners.insert(userID) }
        if levels.contains(.team) { owners.formUnion(teammateIDs) }
        if levels.contains(.subordinates) { owners.formUnion(subordinateIDs) }
        // Sharing rules widen reading and editing, never beyond an action the profile lacks.
        if !levels.isEmpty, action == .read || action == .edit {
            owners.formUnion(ruleOwners[entity]?[action] ?? [])
            if action == .read { owners.formUnion(ruleOwners[entity]?[.edit] ?? []) }
        }
        return owners
    }

    /// Whether a scope reaches a record with this owner (shares aside).
    public func covers(owner: UUID?, _ entity: String, _ action: AccessAction) -> Bool {
        guard let owners = owners(entity, action) else { return true }
        guard let owner else { return false }
        return owners.contains(owner)
    }
}

/// How a read or write names the rows it may touch: the whole workspace (integrity checks:
/// references, merges re-pointing, rules that must see every row) or what the caller may
/// see for an action.
public enum RecordAccess: Sendable, Hashable {
    case tenant
    case visible(AccessAction)
}
