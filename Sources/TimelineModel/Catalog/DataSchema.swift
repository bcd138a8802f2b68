/// The shape of an event's `data`: named fields with a kind and bounds.
/// Checking a payload against it is the `invalid_event` half of validation.
public struct DataSchema: Sendable {
    /// What a field may hold.
    public enum Kind: Sendable {
        /// Text whose length in Unicode scalars lies in `length`.
        case string(ClosedRange<Int>)
        /// An integer in `range` (a fractional number is refused).
        case integer(ClosedRange<Int64>)
        case boolean
        /// One of the listed strings.
        case oneOf([String])
        /// An RFC 3339 time.
        case time
        /// An active ISO 4217 currency code with minor units (``ISO4217/currencyCodes``), e.g. `EUR`.
        case currency
        /// 64 lower-case hex digits.
        case sha256
        /// A nested object with its own schema.
        indirect case object(DataSchema)
        /// Any JSON object (its content is checked by the event type's own rule).
        case anyObject
        /// An array of `count` elements, each of the given kind.
        indirect case list(Kind, count: ClosedRange<Int>)
    }

    /// One named field.
    public struct Field: Sendable {
        public var name: String
        public var kind: Kind
        public var required: Bool
    }

    /// The fields, in documentation order.
    public let fields: [Field]
    /// How many of ``fields`` are required.
    let requiredCount: Int

    /// A schema of `fields`.
    public init(_ fields: [Field]) {
        self.fields = fields
        requiredCount = fields.count(where: \.required)
    }

    /// No fields: `data` must be `{}` (or absent).
    public static let empty = DataSchema([])

    /// Checks `data` (an object) and returns nil, or the field path and a sentence.
    /// Fields not in the schema are refused so the log holds only documented data.
    public func check(_ data: [String: JSONValue], path: String = "data") -> (field: String, message: String)? {
        isPlainlyValid(data) ? nil : problem(data, path: path)
    }

    /// A quick yes for the common case (every member a known field with a plainly
    /// valid value, every required field present); `false` means "look for the problem".
    /// One pass over `data`, no hashing: this runs for every append and every audit step.
    func isPlainlyValid(_ data: [String: JSONValue]) -> Bool {
        guard data.count <= fields.count else { return false }
        var required = 0
        for (key, value) in data {
            guard let i = fields.firstIndex(where: { $0.name == key }), fields[i].kind.isPlainlyValid(value) else { return false }
            if fields[i].required { required += 1 }
        }
        return required == requiredCount
    }

    /// The first problem of `data` in documentation order, or nil.
    func problem(_ data: [String: JSONValue], path: String) -> (field: String, message: String)? {
        for field in fields {
            guard let value = data[field.name], !value.isNull else {
                if field.required { return ("\(path).\(field.name)", "\(path).\(field.name) is required") }
                continue
            }
            // The path is spelled out only when there is a problem to report (this runs for every append and audit step).
            if field.kind.isPlainlyValid(value) { continue }
            let fieldPath = "\(path).\(field.name)"
            if case .object(let schema) = field.kind, let members = value.objectValue {
                // Name the offending nested field (data.item.quantity), not its object.
                if let problem = schema.check(members, path: fieldPath) { return problem }
                continue
            }
            if let problem = field.kind.check(value, path: fieldPath) { return (fieldPath, problem) }
        }
        if data.keys.allSatisfy({ key in fields.contains(where: { $0.name == key }) }) { return nil }
        for key in data.keys.sorted() where !fields.contains(where: { $0.name == key }) {
            let known = fields.map(\.name).joined(separator: ", ")
            return ("\(path).\(key)", "\(path).\(key) is not a field of this event type (allowed: \(known.isEmpty ? "none" : known))")
        }
        return nil
    }
}

extension DataSchema.Kind {
    /// A quick yes for the common valid values of the simple kinds; `false` means "check properly".
    func isPlainlyValid(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string(let length), .string(let s)):
            let n = s.utf8.count
            // UTF-8 length bounds the scalar count from above, and a quarter of it from below.
            return n <= length.upperBound && (n + 3) / 4 >= length.lowerBound
        case (.integer(let range), .int(let i)): return range.contains(i)
        case (.boolean, .bool): return true
        case (.oneOf(let options), .string(let s)): return options.contains(s)
        case (.currency, .string(let s)): return ISO4217.currencyCodes.contains(s)
        default: return false
        }
    }

    func check(_ value: JSONValue, path: String) -> String? {
        switch self {
        case .string(let length):
            guard let s = value.stringValue else { return "\(path) must be a string, not \(value.kindName)" }
            let n = s.unicodeScalars.count
            if !length.contains(n) { return "\(path) must be \(length.lowerBound)–\(length.upperBound) characters long (it has \(n))" }
        case .integer(let range):
            guard let i = value.intValue else {
                return "\(path) must be an integer (money in minor units), not \(value.kindName)"
            }
            if !range.contains(i) {
                return range.upperBound == .max ? "\(path) must be at least \(range.lowerBound)" : "\(path) must be between \(range.lowerBound) and \(range.upperBound)"
            }
        case .boolean:
            guard value.boolValue != nil else { return "\(path) must be true or false, not \(value.kindName)" }
        case .oneOf(let options):
            guard let s = value.stringValue, options.contains(s) else {
                return "\(path) must be one of \(options.joined(separator: ", "))"
            }
        case .time:
            guard let s = value.stringValue, Timestamp(rfc3339: s) != nil else {
                return "\(path) must be an RFC 3339 time such as 2026-11-26T15:00:00Z"
            }
        case .currency:
            guard let s = value.stringValue, ISO4217.currencyCodes.contains(s) else {
                return "\(path) must be an ISO 4217 currency code such as EUR"
            }
        case .sha256:
            guard let s = value.stringValue, Hashing.isSHA256Hex(s) else { return "\(path) must be 64 lower-case hex digits" }
        case .object(let schema):
            guard let o = value.objectValue else { return "\(path) must be an object, not \(value.kindName)" }
            return schema.check(o, path: path).map(\.message)
        case .anyObject:
            guard value.objectValue != nil else { return "\(path) must be an object, not \(value.kindName)" }
        case .list(let element, let count):
            guard let items = value.arrayValue else { return "\(path) must be an array, not \(value.kindName)" }
            if !count.contains(items.count) { return "\(path) must hold \(count.lowerBound)–\(count.upperBound) elements (it has \(items.count))" }
            for (i, item) in items.enumerated() {
                if let problem = element.check(item, path: "\(path)[\(i)]") { return problem }
            }
        }
        return nil
    }
}

extension DataSchema.Field {
    /// A required field.
    public static func required(_ name: String, _ kind: DataSchema.Kind) -> Self { .init(name: name, kind: kind, required: true) }
    /// An optional field.
    public static func optional(_ name: String, _ kind: DataSchema.Kind) -> Self { .init(name: name, kind: kind, required: false) }
}
