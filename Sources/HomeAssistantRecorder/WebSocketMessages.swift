import Foundation

/// The frames of Home Assistant's websocket API this client reads and writes
/// (https://developers.home-assistant.io/docs/api/websocket).
enum WebSocketMessages {
    /// Every server message has a `type`; results also an `id` and `success`.
    struct Envelope: Decodable {
        var id: Int?
        var type: String
        var success: Bool?
        var error: ErrorBody?
        /// `auth_invalid` carries why.
        var message: String?
        var haVersion: String?

        enum CodingKeys: String, CodingKey {
            case id, type, success, error, message
            case haVersion = "ha_version"
        }
    }

    struct ErrorBody: Decodable {
        var code: String
        var message: String
    }

    struct ResultBody<Result: Decodable>: Decodable {
        var result: Result
    }

    struct Authentication: Encodable {
        let type = "auth"
        var accessToken: String

        enum CodingKeys: String, CodingKey {
            case type
            case accessToken = "access_token"
        }
    }

    /// A command with its message id: the id goes into the same JSON object as the command's fields.
    struct Identified<Command: Encodable>: Encodable {
        var id: Int
        var command: Command

        enum CodingKeys: String, CodingKey { case id }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try command.encode(to: encoder)
        }
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
