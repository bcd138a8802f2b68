// MARK: - Word lists compiled into one trie over skeletons

/// All word lists of a policy in one trie over skeleton bytes.
///
/// A term is a sequence of words; `" "` separates words in the trie. Matching
/// starts at every word of a message and follows the trie across word
/// boundaries in two ways: as a word break (for phrases) or by joining the
/// next word (for split words such as `d i s c o r d` or `dis cord`). A repeated
/// letter may be skipped (`diiiscord`), and a `*` inside a word stands for zero
/// or one letter (`f*ck`). Matches always start and end on word boundaries.
struct WordListMatcher: Sendable {
    /// Symbols: `a`–`z`, `0`–`9`, the 128 bytes of UTF-8 sequences (letters of
    /// other scripts, one byte at a time), word break.
    static let symbolCount = 165
    static let wordBreakSymbol = 164
    /// The symbols a `*` wildcard may stand for: the ASCII letters and digits.
    static let wildcardSymbols = 36
    static let symbolOf: [UInt8] = (0..<256).map { value in
        switch value {
        case 0x61...0x7A: UInt8(value - 0x61)
        case 0x30...0x39: UInt8(26 + value - 0x30)
        case 0x80...0xFF: UInt8(36 + value - 0x80)
        case 0x20: 164
        default: 255
        }
    }

    /// The edges while inserting: `node * symbolCount + symbol` → child (the
    /// sparse form of a dense table, which would be megabytes with 165 symbols).
    private var children: [Int: Int32] = [:]
    private var nodeCount = 1
    private var terminalTerm: [Int32] = [-1]
    /// Compact form built by ``freeze()``: the root's children by symbol, then
    /// each node's edges in `edgeOffset[node]..<edgeOffset[node + 1]`.
    private var rootChild: [Int32] = [Int32](repeating: -1, count: symbolCount)
    private var edgeOffset: [Int32] = [0, 0]
    private var edgeSymbol: [UInt8] = []
    private var edgeTarget: [Int32] = []
    /// Letters in each term, word breaks excluded.
    private(set) var termLength: [Int32] = []
    /// The skeleton of each term, for diagnostics and tests.
    private(set) var termSkeletons: [[UInt8]] = []
    /// Words shorter than this may only match split into pieces when every piece is one letter.
    var minJoinLength: Int = 5

    /// Number of distinct terms.
    var termCount: Int { termLength.count }

    /// Adds a term given as a skeleton (words separated by single spaces) and
    /// returns its index; adding the same skeleton twice returns the same index.
    mutating func insert(_ skeleton: [UInt8]) -> Int32 {
        var node = 0
        for byte in skeleton {
            let symbol = Int(Self.symbolOf[Int(byte)])
            guard symbol != 255 else { continue }  // the compiler only passes valid skeletons
            let key = node * Self.symbolCount + symbol
            if let child = children[key] {
                node = Int(child)
            } else {
                let child = nodeCount
                nodeCount += 1
                terminalTerm.append(-1)
                children[key] = Int32(child)
                node = child
            }
        }
        if terminalTerm[node] >= 0 { return terminalTerm[node] }
        let term = Int32(termLength.count)
        terminalTerm[node] = term
        termLength.append(Int32(skeleton.reduce(0) { $0 + ($1 == 0x20 ? 0 : 1) }))
        termSkeletons.append(skeleton)
        return term
    }

    /// Builds the compact edge lists that matching reads; call after the last ``insert(_:)``.
    ///
    /// The edge lists (a dense row for the root, then a few edges per node,
    /// sorted by symbol) are compact enough to stay in cache.
    mutating func freeze() {
        var byNode = [[(UInt8, Int32)]](repeating: [], count: nodeCount)
        for (key, child) in children {
            byNode[key / Self.symbolCount].append((UInt8(key % Self.symbolCount), child))
        }
        var offsets: [Int32] = [0]
        var symbols: [UInt8] = []
        var targets: [Int32] = []
        for edges in byNode {
            for (symbol, child) in edges.sorted(by: { $0.0 < $1.0 }) {
                symbols.append(symbol)
                targets.append(child)
            }
            offsets.append(Int32(symbols.count))
        }
        rootChild = (0..<Self.symbolCount).map { children[$0] ?? -1 }
        edgeOffset = offsets
        edgeSymbol = symbols
        edgeTarget = targets
    }

    // MARK: Matching

    private struct State {
        var token: Int32
        var position: Int32
        var node: Int32
        var previous: UInt8
        /// Joined across punctuation or between single letters (evasive).
        var joined: Bool
        /// Joined a piece longer than one letter (subject to `minJoinLength`).
        var multiPieceJoin: Bool
        var obfuscated: Bool
    }

    /// Appends to `hits` every term occurrence in `text`.
    ///
    /// - Parameter budget: The most trie steps to spend; bounds pathological inputs
    ///   such as long runs of wildcards.
    func findAll(in text: TokenizedText, hits: inout [TermHit], budget: Int) {
        var stack: [State] = []
        stack.reserveCapacity(64)
        let breakSymbol = Self.wordBreakSymbol
        let minJoin = Int32(minJoinLength)
        Self.symbolOf.withUnsafeBufferPointer { symbolOf in
        rootChild.withUnsafeBufferPointer { rootChild in
        edgeOffset.withUnsafeBufferPointer { edgeOffset in
        edgeSymbol.withUnsafeBufferPointer { edgeSymbol in
        edgeTarget.withUnsafeBufferPointer { edgeTarget in
        terminalTerm.withUnsafeBufferPointer { terminalTerm in
        termLength.withUnsafeBufferPointer { termLength in
        text.tokens.withUnsafeBufferPointer { tokens in
        text.skeleton.withUnsafeBufferPointer { skeleton in
            /// The child of `node` along `symbol`, or -1.
            func child(_ node: Int32, _ symbol: Int) -> Int32 {
                if node == 0 { return rootChild[symbol] }
                var edge = Int(edgeOffset[Int(node)])
                let end = Int(edgeOffset[Int(node) + 1])
                while edge < end {
                    if Int(edgeSymbol[edge]) == symbol { return edgeTarget[edge] }
                    edge += 1
                }
                return -1
            }
            var remaining = budget
            for start in 0..<tokens.count {
                // Cheap pre-check: the first symbol must leave the root.
                let firstByte = skeleton[Int(tokens[start].skeletonStart)]
                if firstByte != WordFolding.wildcard {
                    let symbol = Int(symbolOf[Int(firstByte)])
                    if symbol == 255 || rootChild[symbol] < 0 { continue }
                }
                stack.append(State(token: Int32(start), position: tokens[start].skeletonStart, node: 0, previous: 0,
                                   joined: false, multiPieceJoin: false, obfuscated: tokens[start].obfuscated))
                stateLoop: while var state = stack.popLast() {
                    remaining -= 1
                    if remaining < 0 { return }
                    let index = Int(state.token)
                    let token = tokens[index]
                    // Follow the word letter by letter; only wildcards and repeats branch.
                    while state.position < token.skeletonEnd {
                        let byte = skeleton[Int(state.position)]
                        if byte == WordFolding.wildcard {
                            var skip = state
                            skip.position += 1
                            stack.append(skip)
                            for symbol in 0..<Self.wildcardSymbols {
                                let target = child(state.node, symbol)
                                guard target >= 0 else { continue }
                                var next = state
                                next.position += 1
                                next.node = target
                                next.previous = 0
                                stack.append(next)
                            }
                            continue stateLoop
                        }
                        if byte == state.previous {
                            var skip = state
                            skip.position += 1
                            stack.append(skip)
                        }
                        let symbol = Int(symbolOf[Int(byte)])
                        guard symbol != 255 else { continue stateLoop }
                        let target = child(state.node, symbol)
                        guard target >= 0 else { continue stateLoop }
                        state.node = target
                        state.previous = byte
                        state.position += 1
                        remaining -= 1
                    }
                    // End of a word: report, then continue across a word break or a join.
                    let term = terminalTerm[Int(state.node)]
                    if term >= 0 && (!state.multiPieceJoin || termLength[Int(term)] >= minJoin)
                        && !Self.alreadyFound(term, start: start, last: state.token, in: hits) {
                        hits.append(TermHit(term: term, first: Int32(start), last: state.token,
                                            obfuscated: state.obfuscated || state.joined))
                    }
                    guard index + 1 < tokens.count else { continue stateLoop }
                    let next = tokens[index + 1]
                    let breakChild = child(state.node, breakSymbol)
                    if breakChild >= 0 {
                        stack.append(State(token: state.token + 1, position: next.skeletonStart, node: breakChild,
                                           previous: 0, joined: state.joined, multiPieceJoin: state.multiPieceJoin,
                                           obfuscated: state.obfuscated || next.obfuscated))
                    }
                    guard state.node != 0 && token.join != .none else { continue stateLoop }
                    var joined = State(token: state.token + 1, position: next.skeletonStart, node: state.node,
                                       previous: state.previous, joined: state.joined,
                                       multiPieceJoin: state.multiPieceJoin,
                                       obfuscated: state.obfuscated || next.obfuscated)
                    if token.join != .contraction {
                        // Pieces of one letter, or punctuation between pieces, are evasive;
                        // multi-letter pieces split by spaces (`we chat`) only match.
                        let singleLetters = token.skeletonLength == 1 && next.skeletonLength == 1
                        joined.joined = state.joined || singleLetters || token.join == .separator
                        joined.multiPieceJoin = state.multiPieceJoin || !singleLetters
                    }
                    stack.append(joined)
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        }
    }

    /// Whether the same occurrence was already reported through another path.
    @inline(__always)
    private static func alreadyFound(_ term: Int32, start: Int, last: Int32, in hits: [TermHit]) -> Bool {
        var index = hits.count - 1
        while index >= 0 && hits[index].first == Int32(start) {
            if hits[index].term == term && hits[index].last == last { return true }
            index -= 1
        }
        return false
    }
}
