import Foundation

/// A JSON document under construction. Payloads are built as values rather than `Codable` structs
/// because they need explicit `null`s (a missing value must reach Home Assistant as "unknown", not
/// be left out) and per-field number rounding.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Compact UTF-8 with sorted keys and unescaped slashes: byte-for-byte stable for the same
    /// value, and readable in `mosquitto_sub`.
    package func encoded() -> [UInt8] { Array(encodedData(pretty: false)) }

    /// Two-space indented, sorted keys: the form of the golden files.
    package func prettyPrinted() -> String { String(decoding: encodedData(pretty: true), as: UTF8.self) }

    private func encodedData(pretty: Bool) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            // Only non-finite numbers fail to encode, and this module builds numbers through
            // `JSONValue.decimal`, which turns them into null: reaching this is a programming error.
            preconditionFailure("JSON encoding failed: \(error)")
        }
    }
}

extension JSONValue {
    /// `null` for `nil` and for non-finite input (JSON has no NaN or infinity, and Home Assistant
    /// shows `null` as "unknown").
    static func decimal(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    static func wholeNumber(_ value: Int?) -> JSONValue { value.map(JSONValue.integer) ?? .null }

    static func flag(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }

    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// ISO 8601 in UTC with `Z`, whole seconds: `2026-11-26T23:15:00Z`.
    static func timestamp(_ date: Date?) -> JSONValue {
        date.map { .string($0.formatted(Date.ISO8601FormatStyle())) } ?? .null
    }
}

extension JSONValue: Codable {
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object): try container.encode(object)
        }
    }
}
