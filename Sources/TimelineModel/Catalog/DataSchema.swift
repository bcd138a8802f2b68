/// The shape of an event's `data`: named fields with a kind and bounds.
/// Checking a payload against it is the `invalid_event` half of validation.
public struct DataSchema: Sendable {
    /// What a field may hold.
    public indirect enum Kind: Sendable {
        /// Text whose length in Unicode scalars lies in `length`.
        case string(ClosedRange<Int>)
        /// An integer in `range` (a fractional number is refused).
        case integer(ClosedRange<Int64>)
        case boolean
        /// One of the listed strings.
        case oneOf([String])
        /// An RFC 3339 time.
        case time
        /// An ISO 4217 code: three upper-case letters.
        case currency
        /// 64 lower-case hex digits.
        case sha256
        /// A nested object with its own schema.
        case object(DataSchema)
    }

    /// One named field.
    public struct Field: Sendable {
        public var name: String
        public var kind: Kind
        public var required: Bool
    }

    /// The fields, in documentation order.
    public var fields: [Field]

    /// A schema of `fields`.
    public init(_ fields: [Field]) { self.fields = fields }

    /// No fields: `data` must be `{}` (or absent).
    public static let empty = DataSchema([])

    /// Checks `data` (an object) and returns nil, or the field path and a sentence.
    /// Fields not in the schema are refused so the log holds only documented data.
    public func check(_ data: [String: JSONValue], path: String = "data") -> (field: String, message: String)? {
        for field in fields {
            let fieldPath = "\(path).\(field.name)"
            guard let value = data[field.name], !value.isNull else {
                if field.required { return (fieldPath, "\(fieldPath) is required") }
                continue
            }
            if case .object(let schema) = field.kind, let members = value.objectValue {
                // Name the offending nested field (data.item.quantity), not its object.
                if let problem = schema.check(members, path: fieldPath) { return problem }
                continue
            }
            if let problem = field.kind.check(value, path: fieldPath) { return (fieldPath, problem) }
        }
        for key in data.keys.sorted() where !fields.contains(where: { $0.name == key }) {
            let known = fields.map(\.name).joined(separator: ", ")
            return ("\(path).\(key)", "\(path).\(key) is not a field of this event type (allowed: \(known.isEmpty ? "none" : known))")
        }
        return nil
    }
}

extension DataSchema.Kind {
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
            guard let s = value.stringValue, s.utf8.count == 3, s.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                return "\(path) must be an ISO 4217 currency code such as EUR"
            }
        case .sha256:
            guard let s = value.stringValue, Hashing.isSHA256Hex(s) else { return "\(path) must be 64 lower-case hex digits" }
        case .object(let schema):
            guard let o = value.objectValue else { return "\(path) must be an object, not \(value.kindName)" }
            return schema.check(o, path: path).map(\.message)
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
