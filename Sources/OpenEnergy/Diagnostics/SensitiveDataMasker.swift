import Foundation
import Synchronization

/// Masks what identifies a household in API responses before they are shown or written for a bug
/// report: names, addresses, customer numbers, metering point ids, tokens, e-mail addresses.
///
/// Consistent: one masker gives the same value the same mask every time, in bodies, URLs and text
/// alike, so a masked report still shows which metering point a response belongs to. The body's
/// bytes are otherwise kept as they are (numbers, spacing, field order, unknown fields): the point
/// of the report is to show what the API sent. Not JSON (an HTML error page): masked as text.
public final class SensitiveDataMasker: Sendable {
    private struct State {
        var masks: [String: String] = [:]
        var counters: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Key names (lowercased, without `_` and `-`) whose scalar values are masked wherever they appear.
    static let sensitiveKeyParts = [
        "name", "street", "strasse", "adress", "zip", "postal", "city", "town", "email", "mail", "phone", "mobile",
        "token", "secret", "password", "customer", "iban", "birth", "meternumber", "meteringpoint", "meterid",
        "partner", "account", "contract", "user", "owner", "house", "salutation", "location", "kunde", "vertrag",
    ]
    /// Key names masked only when they are the whole name.
    static let sensitiveKeys: Set<String> = ["id", "sub", "uuid", "mpid", "plz", "ort", "nr", "number"]

    static func isSensitive(key: String) -> Bool {
        let normalized = key.lowercased().filter { $0 != "_" && $0 != "-" }
        return sensitiveKeys.contains(normalized) || sensitiveKeyParts.contains { normalized.contains($0) }
    }

    /// Makes `id` masked wherever it appears later (a metering point id in a URL path), whatever its format.
    public func register(meteringPointId id: String) {
        _ = mask(id, label: "meteringPoint")
    }

    /// The masked text of a body.
    public func mask(_ body: Data) -> String {
        let bytes = Array(body)
        guard let first = bytes.first(where: { !Self.isWhitespace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            return mask(text: String(decoding: bytes, as: UTF8.self))
        }
        return maskJSON(bytes)
    }

    /// The start of the masked body, at most `limit` characters, on one line.
    public func maskedExcerpt(of body: Data, limit: Int) -> String {
        var text = mask(body)
        text = String(text.map { $0.isNewline ? " " : $0 })
        if text.count > limit { text = String(text.prefix(limit)) + "… (\(body.count) bytes)" }
        return text
    }

    /// Free text (a URL, an HTML page): metering point ids, JWTs, e-mail addresses and every value
    /// masked before are replaced.
    public func mask(text: String) -> String {
        var words: [String] = []
        var current = ""
        // Split into runs of "word" characters and the rest, so ids inside paths and queries are found.
        func flush() {
            if !current.isEmpty { words.append(maskWord(current)) }
            current = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || "-_.@+~".contains(character) {
                current.append(character)
            } else {
                flush()
                words.append(String(character))
            }
        }
        flush()
        return words.joined()
    }

    // MARK: Words and values

    private func maskWord(_ word: String) -> String {
        if let known = state.withLock({ $0.masks[word] }) { return known }
        if Self.looksLikeMeteringPointId(word) { return mask(word, label: "meteringPoint") }
        if Self.looksLikeJWT(word) { return mask(word, label: "token") }
        if word.contains("@"), word.contains("."), !word.hasPrefix("@") { return mask(word, label: "email") }
        // A JWT or id may be part of a longer run (`Bearer.eyJ...`): fall back to the known values.
        return replacingKnownValues(in: word)
    }

    private func replacingKnownValues(in text: String) -> String {
        let known = state.withLock { $0.masks }
        var result = text
        for (original, masked) in known where original.count >= 5 && result.contains(original) {
            result = result.replacingOccurrences(of: original, with: masked)
        }
        return result
    }

    /// The mask of `value`: the same for the same value. Metering point ids keep their form
    /// (`CH` and 31 letters or digits), numbers their digit count, so format checks still apply.
    private func mask(_ value: String, label: String) -> String {
        state.withLock { state in
            if let known = state.masks[value] { return known }
            let kind = Self.looksLikeMeteringPointId(value) ? "meteringPoint" : label
            let number = (state.counters[kind] ?? 0) + 1
            state.counters[kind] = number
            let masked: String
            if kind == "meteringPoint", Self.looksLikeMeteringPointId(value) {
                masked = "CHMASKED" + Self.padded(number, to: 25)
            } else if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                masked = value.count == 1 ? "\(number % 10)" : "9" + Self.padded(number, to: value.count - 1)
            } else {
                masked = "\(kind)-\(number)"
            }
            state.masks[value] = masked
            return masked
        }
    }

    private static func padded(_ number: Int, to width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? String(digits.suffix(width)) : String(repeating: "0", count: width - digits.count) + digits
    }

    static func looksLikeMeteringPointId(_ text: String) -> Bool {
        text.count == 33 && text.hasPrefix("CH") && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func looksLikeJWT(_ text: String) -> Bool {
        text.hasPrefix("eyJ") && text.count { $0 == "." } == 2
    }

    // MARK: JSON

    private enum Container { case object, array }

    /// Walks the JSON text token by token, copying it and replacing the scalar values of sensitive
    /// keys, and ids, tokens and e-mail addresses in any string. Malformed JSON is copied as far
    /// as it goes: the rest is still masked as text.
    private func maskJSON(_ bytes: [UInt8]) -> String {
        var output = ""
        output.reserveCapacity(bytes.count)
        var stack: [Container] = []
        /// The key each open array belongs to: the elements of `"names": [...]` are masked too.
        var arrayKeys: [String?] = []
        var expectingKey = false
        var currentKey: String?
        func sensitiveKey() -> String? {
            switch stack.last {
            case .object: currentKey.flatMap { Self.isSensitive(key: $0) ? $0 : nil }
            case .array: arrayKeys.last.flatMap { $0 }.flatMap { Self.isSensitive(key: $0) ? $0 : nil }
            case nil: nil
            }
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(.object)
                expectingKey = true
                output.append("{")
                index += 1
            case UInt8(ascii: "["):
                arrayKeys.append(stack.last == .object ? currentKey : arrayKeys.last.flatMap { $0 })
                stack.append(.array)
                expectingKey = false
                output.append("[")
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if stack.popLast() == .array { _ = arrayKeys.popLast() }
                expectingKey = false
                output.append(Character(UnicodeScalar(byte)))
                index += 1
            case UInt8(ascii: ":"):
                expectingKey = false
                output.append(":")
                index += 1
            case UInt8(ascii: ","):
                expectingKey = stack.last == .object
                output.append(",")
                index += 1
            case UInt8(ascii: "\""):
                guard let end = Self.endOfString(bytes, from: index) else {
                    output += mask(text: String(decoding: bytes[index...], as: UTF8.self))
                    return output
                }
                let raw = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                if expectingKey, stack.last == .object {
                    currentKey = raw
                    output += "\"\(raw)\""
                } else if let key = sensitiveKey(), !raw.isEmpty {
                    output += "\"\(mask(raw, label: Self.label(for: key)))\""
                } else {
                    output += "\"\(mask(text: raw))\""
                }
                index = end + 1
            default:
                if Self.isWhitespace(byte) {
                    output.append(Character(UnicodeScalar(byte)))
                    index += 1
                    continue
                }
                // A number or a literal: up to the next delimiter.
                var end = index
                while end < bytes.count, !Self.isDelimiter(bytes[end]) { end += 1 }
                let token = String(decoding: bytes[index..<max(end, index + 1)], as: UTF8.self)
                if let key = sensitiveKey(), token.first.map({ $0.isNumber || $0 == "-" }) == true {
                    output += mask(token, label: Self.label(for: key))
                } else {
                    output += token
                }
                index = max(end, index + 1)
            }
        }
        return output
    }

    private static func label(for key: String) -> String {
        let letters = key.filter { $0.isLetter }
        return letters.isEmpty ? "value" : letters
    }

    /// The index of the closing quote of the string starting at `start`.
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
    }
}
