/// Which words of a message end a term of the phone clause's word lists, and
/// where each such term starts. Built only for messages with a run of digits
/// as long as a phone number.
struct PhoneWordMarks {
    /// A `contextWords` term (`call`, `number`) ends on the word.
    static let context: UInt8 = 1
    /// An `idWords` term (`order`, `tracking`) ends on the word.
    static let idWord: UInt8 = 2
    /// A `skipBefore` filler (`is`, `my`, `the`) ends on the word.
    static let filler: UInt8 = 4

    /// Per word, the roles of the terms ending on it; empty when none of the clause's terms occurs.
    private var roles: [UInt8] = []
    /// Per word, the first word of the longest term ending on it (itself when none).
    private var starts: [Int32] = []
    /// Some id word occurs in the message.
    private(set) var hasIdWords = false

    /// Matches `lists` over `text` (folded and joined like every word list).
    init(_ text: TokenizedText, _ lists: PhoneWordLists) {
        guard !text.tokens.isEmpty else { return }
        var hits: [TermHit] = []
        lists.matcher.findAll(in: text, hits: &hits, budget: 256 + 64 * text.skeleton.count)
        for hit in hits {
            mark(lists.roles[Int(hit.term)], first: hit.first, last: hit.last, wordCount: text.tokens.count)
        }
    }

    /// Marks `role` for a term covering words `first...last` of a `wordCount`-word message.
    private mutating func mark(_ role: UInt8, first: Int32, last: Int32, wordCount: Int) {
        if roles.isEmpty {
            roles = [UInt8](repeating: 0, count: wordCount)
            starts = (0..<Int32(wordCount)).map { $0 }
        }
        roles[Int(last)] |= role
        starts[Int(last)] = min(starts[Int(last)], first)
        if role & Self.idWord != 0 { hasIdWords = true }
    }

    /// The roles of the terms ending on word `index`.
    @inline(__always)
    func roles(at index: Int) -> UInt8 {
        roles.isEmpty ? 0 : roles[index]
    }

    /// The first word of the longest term ending on word `index` (or `index`).
    @inline(__always)
    func start(at index: Int) -> Int {
        starts.isEmpty ? index : Int(starts[index])
    }
}
