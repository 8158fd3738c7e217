/// A secret configuration value (a password or client secret).
///
/// Its `description` is always redacted, so printing a configuration, logging it or interpolating
/// it into an error message can never leak the value. Read the value deliberately via `plaintext`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Only hand this to the component that needs it (MQTT client, token request).
    public let plaintext: String

    public init(_ plaintext: String) {
        self.plaintext = plaintext
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
}
