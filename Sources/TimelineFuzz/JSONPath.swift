import TimelineModel

/// One step into a JSON value.
enum PathStep: Sendable, Equatable {
    case key(String)
    case index(Int)

    var isKey: Bool {
        if case .key = self { return true }
        return false
    }
}

/// A way from the root of a JSON value to one of its nodes.
typealias JSONPath = [PathStep]

extension Array where Element == PathStep {
    /// Every path in `value`, the root (`[]`) included, at most `limit` of them.
    static func all(in value: JSONValue, limit: Int = 512) -> [JSONPath] {
        var out: [JSONPath] = []
        func walk(_ v: JSONValue, _ path: JSONPath) {
            guard out.count < limit else { return }
            out.append(path)
            switch v {
            case .object(let members):
                for key in members.keys.sorted() { if let m = members[key] { walk(m, path + [.key(key)]) } }
            case .array(let elements):
                for (i, e) in elements.enumerated() { walk(e, path + [.index(i)]) }
            default: break
            }
        }
        walk(value, [])
        return out
    }
}

extension JSONValue {
    /// The node at `path`, or `nil`.
    func at(_ path: JSONPath) -> JSONValue? {
        var node: JSONValue? = self
        for step in path {
            switch step {
            case .key(let k): node = node?[k]
            case .index(let i):
                guard let a = node?.arrayValue, a.indices.contains(i) else { return nil }
                node = a[i]
            }
        }
        return node
    }

    /// This value with the node at `path` replaced (or, for a missing key of an object, added).
    func replacing(at path: JSONPath, with new: JSONValue) -> JSONValue {
        guard let step = path.first else { return new }
        let rest = Array(path.dropFirst())
        switch (self, step) {
        case (.object(var members), .key(let k)):
            members[k] = (members[k] ?? .null).replacing(at: rest, with: new)
            return .object(members)
        case (.array(var elements), .index(let i)) where elements.indices.contains(i):
            elements[i] = elements[i].replacing(at: rest, with: new)
            return .array(elements)
        default:
            return self
        }
    }

    /// This value without the node at `path` (a member or an element).
    func removing(at path: JSONPath) -> JSONValue {
        guard let step = path.first else { return self }
        let rest = Array(path.dropFirst())
        switch (self, step) {
        case (.object(var members), .key(let k)):
            if rest.isEmpty { members[k] = nil } else if let m = members[k] { members[k] = m.removing(at: rest) }
            return .object(members)
        case (.array(var elements), .index(let i)) where elements.indices.contains(i):
            if rest.isEmpty { elements.remove(at: i) } else { elements[i] = elements[i].removing(at: rest) }
            return .array(elements)
        default:
            return self
        }
    }

    /// This value with `key: value` added to the object at `path`.
    func inserting(key: String, value: JSONValue, intoObjectAt path: JSONPath) -> JSONValue {
        guard var members = at(path)?.objectValue else { return self }
        members[key] = value
        return replacing(at: path, with: .object(members))
    }
}
