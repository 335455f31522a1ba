/// One row of the audit trail: who did what to which resources, from where, and how it ended.
///
/// Resources are named by Study Instance UID, annotation id, account name or token id: never by patient name or
/// patient ID.
public struct AuditRecord: Sendable, Equatable, Codable {
    /// How a request ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// Carried out.
        case ok
        /// Refused as asked (invalid input, unknown resource, a conflict): nothing changed.
        case refused
        /// The actor is not allowed to do it (role, disabled account, bad credentials): nothing changed.
        case forbidden
        /// Accepted, but failed while carried out.
        case failed
    }

    /// The row's id, increasing with time (0 for an entry not yet stored).
    public var id: Int64
    /// When (store time text).
    public var at: String
    /// An account name, `cli-user:NAME` for the command line, or `anonymous`.
    public var actor: String
    /// What was asked, as `area.verb` (`user.add`, `annotation.sign`, `study.read`, …).
    public var action: String
    /// The kind of resource (`account`, `api-token`, `study`, `annotation`, `audit`), if any.
    public var resourceType: String?
    /// The resources' ids (Study Instance UIDs, annotation ids, account names, token ids).
    public var resourceIDs: [String]
    /// The client's address (HTTP requests), if known.
    public var clientAddress: String?
    /// How it ended.
    public var outcome: Outcome
    /// The HTTP status of a request through the server; nil for the command line.
    public var statusCode: Int?
    /// A short explanation for people; never a password, a token, a patient name or a patient ID.
    public var detail: String

    private enum CodingKeys: String, CodingKey {
        case id, at, actor, action, resourceType, resourceIDs, clientAddress, outcome, statusCode, detail
    }

    /// Encodes every key, `null` for what is unknown, so each JSON line has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(at, forKey: .at)
        try container.encode(actor, forKey: .actor)
        try container.encode(action, forKey: .action)
        try container.encode(resourceType, forKey: .resourceType)
        try container.encode(resourceIDs, forKey: .resourceIDs)
        try container.encode(clientAddress, forKey: .clientAddress)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(detail, forKey: .detail)
    }

    /// Creates a record (the store assigns `id` and, by default, `at`).
    public init(
        id: Int64 = 0, at: String = "", actor: String, action: String, resourceType: String? = nil,
        resourceIDs: [String] = [], clientAddress: String? = nil, outcome: Outcome, statusCode: Int? = nil,
        detail: String = ""
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.resourceType = resourceType
        self.resourceIDs = resourceIDs
        self.clientAddress = clientAddress
        self.outcome = outcome
        self.statusCode = statusCode
        self.detail = detail
    }
}

/// Which audit rows to read; every condition given must hold.
public struct AuditFilter: Sendable, Equatable {
    /// Rows at or after this time (store time text), if given.
    public var since: String?
    /// Rows before this time (store time text), if given.
    public var until: String?
    /// Rows of this actor (exact, ignoring case), if given.
    public var actor: String?
    /// Rows of this action: exact, or every action of an area when it ends with `.` or `.*` (`user.*`).
    public var action: String?
    /// At most this many rows (the latest ones), if given.
    public var limit: Int?

    /// Creates a filter; no condition reads every row.
    public init(
        since: String? = nil, until: String? = nil, actor: String? = nil, action: String? = nil, limit: Int? = nil
    ) {
        self.since = since
        self.until = until
        self.actor = actor
        self.action = action
        self.limit = limit
    }
}
