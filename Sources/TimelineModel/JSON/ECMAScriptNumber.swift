/// Formats a finite `Double` as ECMAScript's `Number.prototype.toString`
/// does, which is the number form RFC 8785 requires.
enum ECMAScriptNumber {
    static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        guard value.isFinite else { return "null" }
        let negative = value < 0
        // Swift's description is the shortest round-tripping form; take its digits.
        let text = "\(abs(value))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [Character] = []
        var pointIndex = mantissa.count
        for (i, c) in mantissa.enumerated() {
            if c == "." { pointIndex = i } else { digits.append(c) }
        }
        // value = 0.d1d2… × 10^n
        var n = pointIndex + exponent
        while let first = digits.first, first == "0", digits.count > 1 {
            digits.removeFirst()
            n -= 1
        }
        while let last = digits.last, last == "0", digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let d = String(digits)
        var result: String
        if k <= n && n <= 21 {
            result = d + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            result = String(digits[0..<n]) + "." + String(digits[n...])
        } else if -6 < n && n <= 0 {
            result = "0." + String(repeating: "0", count: -n) + d
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            result = String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + sign + String(abs(e))
        }
        return negative ? "-" + result : result
    }
}
