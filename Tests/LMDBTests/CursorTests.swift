import LMDB
import TestScratch
import Testing

@Suite("LMDB cursors")
struct CursorTests {
    /// Keys b, d, f with values B, D, F.
    func scratch() throws -> Scratch {
        let s = try Scratch()
        try s.put([("d", "D"), ("b", "B"), ("f", "F")])
        return s
    }

    func keys(_ s: Scratch, _ walk: (inout Cursor) throws -> [Cursor.Entry?]) throws -> [String?] {
        try s.env.read { txn throws in
            try txn.withCursor(s.db) { cursor in try walk(&cursor).map { $0.flatMap { text($0.key) } } }
        }
    }

    @Test("first, next and last walk the keys in byte order")
    func forward() throws {
        let s = try scratch()
        let walked = try keys(s) { c in [try c.first(), try c.next(), try c.next(), try c.next()] }
        #expect(walked == ["b", "d", "f", nil])
        #expect(try keys(s) { c in [try c.last()] } == ["f"])
    }

    @Test("previous walks back from the last key to nothing")
    func backward() throws {
        let s = try scratch()
        let walked = try keys(s) { c in [try c.last(), try c.previous(), try c.previous(), try c.previous()] }
        #expect(walked == ["f", "d", "b", nil])
    }

    @Test("the entry's value belongs to its key")
    func values() throws {
        let s = try scratch()
        let value = try s.env.read { txn throws in
            try txn.withCursor(s.db) { c in text(try c.seek(atLeast: b("d"))?.value) }
        }
        #expect(value == "D")
    }

    @Test("seek atLeast finds the exact key, the next larger key, or nothing past the end")
    func seekAtLeast() throws {
        let s = try scratch()
        #expect(try keys(s) { c in [try c.seek(atLeast: b("d"))] } == ["d"])
        #expect(try keys(s) { c in [try c.seek(atLeast: b("c"))] } == ["d"])
        #expect(try keys(s) { c in [try c.seek(atLeast: b("a"))] } == ["b"])
        #expect(try keys(s) { c in [try c.seek(atLeast: b("g"))] } == [nil])
        #expect(try keys(s) { c in [try c.seek(atLeast: b("c")), try c.next()] } == ["d", "f"])
    }

    @Test("seek atMost finds the exact key, the next smaller key, the last key, or nothing before the start")
    func seekAtMost() throws {
        let s = try scratch()
        #expect(try keys(s) { c in [try c.seek(atMost: b("d"))] } == ["d"])
        #expect(try keys(s) { c in [try c.seek(atMost: b("e"))] } == ["d"])
        #expect(try keys(s) { c in [try c.seek(atMost: b("z"))] } == ["f"])
        #expect(try keys(s) { c in [try c.seek(atMost: b("a"))] } == [nil])
        #expect(try keys(s) { c in [try c.seek(atMost: b("e")), try c.previous()] } == ["d", "b"])
    }

    @Test("seeking an empty key finds the first entry at least, nothing at most")
    func seekEmptyKey() throws {
        let s = try scratch()
        #expect(try keys(s) { c in [try c.seek(atLeast: [])] } == ["b"])
        #expect(try keys(s) { c in [try c.seek(atMost: [])] } == [nil])
    }

    @Test("a cursor over an empty database finds nothing")
    func empty() throws {
        let s = try Scratch()
        let walked = try keys(s) { c in
            [try c.first(), try c.last(), try c.seek(atLeast: b("a")), try c.seek(atMost: b("a"))]
        }
        #expect(walked == [nil, nil, nil, nil])
    }

    @Test("big-endian numeric keys sort numerically")
    func numericKeys() throws {
        let s = try Scratch()
        let numbers: [UInt64] = [300, 2, 70_000, 1, 256]
        try s.env.write { txn in
            for n in numbers { try txn.put(s.db, key: withUnsafeBytes(of: n.bigEndian) { Array($0) }, value: []) }
        }
        let order: [UInt64] = try s.env.read { txn throws in
            try txn.withCursor(s.db) { c in
                var out: [UInt64] = []
                var e = try c.first()
                while let entry = e {
                    out.append(entry.key.reduce(0) { $0 << 8 | UInt64($1) })
                    e = try c.next()
                }
                return out
            }
        }
        #expect(order == numbers.sorted())
    }

    @Test("a cursor inside a write transaction sees the transaction's own puts")
    func cursorInWrite() throws {
        let s = try scratch()
        let walked: [String?] = try s.env.write { txn in
            try txn.put(s.db, key: b("c"), value: b("C"))
            return try txn.withCursor(s.db) { c in [try c.seek(atLeast: b("bb")), try c.next()].map { $0.flatMap { text($0.key) } } }
        }
        #expect(walked == ["c", "d"])
    }
}
