/// Something in a body that was accepted, but not as sent: a value of the wrong type in an optional field
/// (taken as absent), a timestamp without a zone (read in the configured time zone). Each `pattern` is
/// logged once per process.
public struct OpenEnergyDecodingWarning: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var endpoint: String
    /// Where, e.g. `series[0].values[17].quality`.
    public var path: String
    /// The path without indices (`series[].values[].quality`), to report a repeated problem once.
    public var pattern: String
    /// What was found and what was done with it.
    public var message: String

    public init(endpoint: String, path: String, pattern: String, message: String) {
        self.endpoint = endpoint
        self.path = path
        self.pattern = pattern
        self.message = message
    }

    public var description: String {
        "OpenEnergy \(endpoint): \(path): \(message)"
    }
}
