import Foundation
import Timestamps

/// A JSON document under construction. Payloads are built as values rather than `Codable` structs
/// because they need explicit `null`s (a missing value must reach Home Assistant as "unknown", not
/// be left out) and per-field number rounding; `JSONValue+Writing.swift` writes them out.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
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

    /// ISO 8601 in UTC with `Z`, whole seconds: `2026-11-26T23:15:00Z`. (Not `ISO8601FormatStyle`,
    /// whose calendar and time-zone machinery the daemon would otherwise not need after start-up.)
    static func timestamp(_ date: Date?) -> JSONValue {
        date.map { .string(ISO8601Timestamp.format(Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)))) } ?? .null
    }
}

/// Reading JSON back, for tests and tools that compare payloads.
extension JSONValue: Decodable {
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
}
