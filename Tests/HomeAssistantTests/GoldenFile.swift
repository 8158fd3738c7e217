import Foundation
import Mosquitto
import Testing
@testable import HomeAssistant

/// Golden files are the reviewed specification of what ckw2mqtt publishes: topic, retain flag, QoS
/// and payload of each message, pretty-printed with sorted keys. A JSON payload appears under
/// `payload` as JSON; any other payload (`online`, empty) as text under `payload_text`.
///
/// The comparison is exact: the payload is decoded and printed again with the same writer, and must
/// equal its own compact re-serialization, so key order, number formatting and nulls all count. On a mismatch the actual rendering is written
/// to a temporary file whose path the failure names, for review.
enum GoldenFile {
    static func expectMatches(
        _ messages: [OutgoingMessage],
        _ name: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let actual = try render(messages)
        let expected = try load(name)
        if actual != expected {
            // Written for review, never copied over the golden file automatically.
            let actualURL = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
            try actual.write(to: actualURL, atomically: true, encoding: .utf8)
            Issue.record("\(name) differs from the golden file; actual output written to \(actualURL.path)", sourceLocation: sourceLocation)
        }
    }

    static func expectMatches(
        _ message: OutgoingMessage,
        _ name: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try expectMatches([message], name, sourceLocation: sourceLocation)
    }

    static func render(_ messages: [OutgoingMessage]) throws -> String {
        let rendered = try messages.map(describe)
        return (rendered.count == 1 ? rendered[0] : .array(rendered)).prettyPrinted() + "\n"
    }

    private static func describe(_ message: OutgoingMessage) throws -> JSONValue {
        var description: [String: JSONValue] = [
            "topic": .string(message.topic),
            "retain": .bool(message.retain),
            "qos": .integer(Int(message.qos.rawValue)),
        ]
        if message.payload.first == UInt8(ascii: "{") {
            let payload = try JSONDecoder().decode(JSONValue.self, from: Data(message.payload))
            // The golden file shows the payload re-indented; this pins the published bytes to it.
            #expect(payload.encoded() == message.payload, "\(message.topic) is not in canonical compact form")
            description["payload"] = payload
        } else {
            description["payload_text"] = .string(message.payloadString)
        }
        return .object(description)
    }

    /// `nil` when the file is missing, which then fails like any mismatch.
    private static func load(_ name: String) throws -> String? {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden") else { return nil }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
