import Foundation
import HomeAssistant
import Testing

/// A published JSON object, read back the way a subscriber would (Foundation's parser, not ours).
struct StatePayload {
    let fields: [String: Any]

    init(_ message: OutgoingMessage) throws {
        let object = try JSONSerialization.jsonObject(with: Data(message.payload), options: [.fragmentsAllowed])
        fields = try #require(object as? [String: Any], "payload is not a JSON object: \(message.payloadString)")
    }

    var keys: Set<String> { Set(fields.keys) }

    func isNull(_ key: String) -> Bool { fields[key] is NSNull }

    func int(_ key: String) -> Int? { (fields[key] as? NSNumber)?.intValue }

    func bool(_ key: String) -> Bool? { fields[key] as? Bool }

    func string(_ key: String) -> String? { fields[key] as? String }

    subscript(key: String) -> Any? { fields[key] }
}
