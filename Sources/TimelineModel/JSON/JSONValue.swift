/// A JSON document as a value: the one representation used for wire messages,
/// event data and stored records.
///
/// Integers that fit `Int64` are kept exactly as `.int`; any other number is a
/// `.double`. Objects are unordered; ``CanonicalJSON`` gives them a stable order.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The empty object, `{}`.
    public static let emptyObject = JSONValue.object([:])

    /// The member `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string payload, or `nil` for any other kind.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer payload, or `nil` for any other kind (doubles included).
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The boolean payload, or `nil` for any other kind.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The members of an object, or `nil` for any other kind.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements of an array, or `nil` for any other kind.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// `true` only for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the kind, for error messages ("a string", "an object").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a fractional number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members: [String: JSONValue] = [:]
        for (k, v) in elements { members[k] = v }
        self = .object(members)
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// This value with every `null` member of every object removed (array
    /// elements are kept as they are). Returns `self` unchanged, without
    /// copying, when there is no such member.
    public var withoutNullMembers: JSONValue {
        guard case .object(let members) = self, members.values.contains(where: \.hasNullMember) else { return self }
        var kept: [String: JSONValue] = [:]
        kept.reserveCapacity(members.count)
        for (key, value) in members where !value.isNull { kept[key] = value.withoutNullMembers }
        return .object(kept)
    }

    /// Whether this is `null`, or an object that holds a `null` member at any depth.
    private var hasNullMember: Bool {
        switch self {
        case .null: return true
        case .object(let members): return members.values.contains(where: \.hasNullMember)
        default: return false
        }
    }
}
