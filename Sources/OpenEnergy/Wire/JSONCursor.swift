import Foundation

/// A forward-only JSON reader over UTF-8 bytes, under `WireDecoder`.
///
/// It validates as it reads and allocates only for strings that are kept. Failures say what was expected
/// and what was found; the caller adds the JSON path.
struct JSONCursor {
    struct Failure: Error {
        var expected: String
        var found: String
    }

    /// What the next value is, from its first byte.
    enum ValueKind {
        case string, number, object, array, boolean, null, end
    }

    /// A string's raw bytes between the quotes; `hasEscapes` says whether they need unescaping.
    struct RawString {
        var range: Range<Int>
        var hasEscapes: Bool
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0
    /// Nesting limit for skipped values, so hostile input cannot exhaust the stack.
    private static let maximumDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Structure

    mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON value") }
    }

    /// Consumes `{`; then call `nextKey()` until it returns nil.
    mutating func beginObject() throws(Failure) {
        try expect(UInt8(ascii: "{"), "an object")
        pendingFirst = true
    }

    /// The next key of the current object (the colon consumed), or nil after the closing `}`.
    mutating func nextKey() throws(Failure) -> RawString? {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the body ends inside an object") }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            pendingFirst = false
            return nil
        }
        if !pendingFirst {
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
            index += 1
            skipWhitespace()
        }
        pendingFirst = false
        let key = try rawString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
        index += 1
        return key
    }

    /// Consumes `[`; then call `nextElement()` until it returns false.
    mutating func beginArray() throws(Failure) {
        try expect(UInt8(ascii: "["), "an array")
        pendingFirst = true
    }

    /// True when another element follows (positioned at it), false after the closing `]`.
    mutating func nextElement() throws(Failure) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the body ends inside an array") }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            pendingFirst = false
            return false
        }
        if !pendingFirst {
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
            index += 1
        }
        pendingFirst = false
        return true
    }

    /// Whether the next token opens a container; nested containers reset it through begin/next calls.
    private var pendingFirst = false

    // MARK: Values

    /// True (and consumed) when the next value is `null`.
    mutating func consumeNull() throws(Failure) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func string() throws(Failure) -> String {
        skipWhitespace()
        return try decodeString(rawString())
    }

    mutating func optionalString() throws(Failure) -> String? {
        try consumeNull() ? nil : string()
    }

    mutating func rawStringValue() throws(Failure) -> RawString {
        skipWhitespace()
        return try rawString()
    }

    mutating func optionalRawString() throws(Failure) -> RawString? {
        try consumeNull() ? nil : rawStringValue()
    }

    mutating func optionalNumber() throws(Failure) -> Double? {
        try consumeNull() ? nil : number()
    }

    /// A JSON number. Up to 15 significant digits with a small exponent (all meter values) take Clinger's
    /// fast path, which is exact; anything else goes through the standard library's parser.
    mutating func number() throws(Failure) -> Double {
        skipWhitespace()
        let start = index
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        let integerStart = index
        while index < bytes.count, let digit = Self.digit(bytes[index]) {
            if digits < 19 { mantissa = mantissa * 10 + UInt64(digit) } else { exponent += 1 }
            if mantissa != 0 { digits += 1 }
            index += 1
        }
        let integerDigits = index - integerStart
        guard integerDigits > 0 else {
            index = start
            throw fail(index < bytes.count ? "expected a number" : "the body ends where a number should be")
        }
        guard !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else { throw fail("a number has a leading zero") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, let digit = Self.digit(bytes[index]) {
                if digits < 19 {
                    mantissa = mantissa * 10 + UInt64(digit)
                    exponent -= 1
                    if mantissa != 0 { digits += 1 }
                }
                index += 1
            }
            guard index > fractionStart else { throw fail("a number has no digits after the decimal point") }
        }
        var hasExponentPart = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            hasExponentPart = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponentStart = index
            while index < bytes.count, Self.digit(bytes[index]) != nil { index += 1 }
            guard index > exponentStart else { throw fail("a number has an empty exponent") }
        }
        if !hasExponentPart, digits <= 15, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= Self.powersOfTen[-exponent] } else { value *= Self.powersOfTen[exponent] }
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("the number \(text) is out of range") }
        return value
    }

    /// Skips one value of any type, validating it.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard index < bytes.count else { throw fail("the body ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try beginArray()
            while try nextElement() { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            _ = try rawString()
        case UInt8(ascii: "t"):
            try literal("true")
        case UInt8(ascii: "f"):
            try literal("false")
        case UInt8(ascii: "n"):
            try literal("null")
        default:
            _ = try number()
        }
    }

    // MARK: Strings

    func equals(_ raw: RawString, _ name: StaticString) -> Bool {
        guard !raw.hasEscapes else { return decodeStringLossy(raw) == name.description }
        guard raw.range.count == name.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var offset = 0
        for position in raw.range {
            if bytes[position] != expected[offset] { return false }
            offset += 1
        }
        return true
    }

    /// ASCII case-insensitive comparison with a lowercase name.
    func equalsIgnoringCase(_ raw: RawString, _ lowercaseName: StaticString) -> Bool {
        guard !raw.hasEscapes else { return decodeStringLossy(raw).lowercased() == lowercaseName.description }
        guard raw.range.count == lowercaseName.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercaseName.utf8Start, count: lowercaseName.utf8CodeUnitCount)
        var offset = 0
        for position in raw.range {
            var byte = bytes[position]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != expected[offset] { return false }
            offset += 1
        }
        return true
    }

    func decodeString(_ raw: RawString) throws(Failure) -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[raw.range])
        guard raw.hasEscapes else {
            guard let text = String(validating: slice, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
            return text
        }
        var result: [UInt8] = []
        result.reserveCapacity(slice.count)
        var position = 0
        while position < slice.count {
            let byte = slice[position]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                position += 1
                continue
            }
            position += 1
            switch slice[position] {
            case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): result.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try Self.hex4(slice, position + 1)
                position += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard position + 6 < slice.count, slice[position + 1] == UInt8(ascii: "\\"), slice[position + 2] == UInt8(ascii: "u") else {
                        throw fail("a string has an unpaired surrogate")
                    }
                    let low = try Self.hex4(slice, position + 3)
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a string has an unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("a string has an invalid \\u escape") }
                result.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail("a string has an invalid escape")
            }
            position += 1
        }
        guard let text = String(validating: result, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        return text
    }

    private func decodeStringLossy(_ raw: RawString) -> String {
        (try? decodeString(raw)) ?? ""
    }

    private static func hex4(_ slice: UnsafeBufferPointer<UInt8>, _ start: Int) throws(Failure) -> UInt32 {
        guard start + 4 <= slice.count else { throw Failure(expected: "valid JSON (a string has a short \\u escape)", found: "a short escape") }
        var value: UInt32 = 0
        for position in start..<(start + 4) {
            let byte = slice[position]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw Failure(expected: "valid JSON (a string has an invalid \\u escape)", found: "an invalid escape")
            }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }

    /// Reads `"..."` at the current position (whitespace already skipped), validating escapes' shape.
    private mutating func rawString() throws(Failure) -> RawString {
        guard index < bytes.count else { throw fail("the body ends where a string should be") }
        guard bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        index += 1
        let start = index
        var hasEscapes = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                index += 1
                return RawString(range: range, hasEscapes: hasEscapes)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 2
                continue
            }
            guard byte >= 0x20 else { throw fail("a string contains a control character") }
            index += 1
        }
        throw fail("the body ends inside a string")
    }

    // MARK: Helpers

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("the body ends inside a literal") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw fail("expected '\(word)'")
        }
        index += count
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the body ends where \(what) should be") }
        guard bytes[index] == byte else { throw fail("expected \(what)") }
        index += 1
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> UInt8? {
        byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : nil
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// A syntax failure at the current position. Reasons that start with "expected" name what was
    /// expected; the others describe what is wrong with valid JSON as the expectation.
    func fail(_ reason: String) -> Failure {
        let expected = reason.hasPrefix("expected ") ? String(reason.dropFirst(9)) : "valid JSON (\(reason))"
        return Failure(expected: expected, found: excerpt(at: index))
    }

    /// Up to 24 bytes from `position`, quoted, with the byte offset; `end of body` past the end.
    func excerpt(at position: Int) -> String {
        guard position < bytes.count else { return "end of body" }
        let end = min(bytes.count, position + 24)
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        return "`\(text)\(end < bytes.count ? "…" : "")` at byte \(position)"
    }

    /// The kind of the next value (whitespace skipped), without consuming it.
    mutating func peekKind() -> ValueKind {
        skipWhitespace()
        guard index < bytes.count else { return .end }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        default: return .number
        }
    }

    /// Skips the next value and returns its JSON text, at most 60 characters of it: what a failure or a
    /// warning shows as "found".
    mutating func skipValueReturningText() throws(Failure) -> String {
        skipWhitespace()
        let start = index
        try skipValue()
        let end = min(index, start + 60)
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return end < index ? text + "…" : text
    }

    /// The JSON text of a raw string value, quotes included (for messages).
    func quoted(_ raw: RawString) -> String {
        let end = min(raw.range.upperBound, raw.range.lowerBound + 58)
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[raw.range.lowerBound..<end]), as: UTF8.self)
        return "\"" + text + (end < raw.range.upperBound ? "…" : "") + "\""
    }
}
