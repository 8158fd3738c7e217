/// Why a response body could not be decoded: where in the JSON, what was expected there, and what the
/// server actually sent. `OpenEnergyError.decoding` carries it; `ckw2mqtt probe` and the bridge's log
/// print its `description`.
public struct OpenEnergyDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request, e.g. `GET v1/meterdata/CH…`.
    public var endpoint: String
    /// The JSON path of the offending value, e.g. `series[0].values[17].start`; `(body)` for the whole body.
    public var path: String
    /// What the contract wants there, e.g. `an RFC 3339 timestamp`.
    public var expected: String
    /// What the body holds there: an excerpt of the JSON (at most 60 characters), `nothing` for a missing
    /// field, or `end of body`.
    public var found: String

    public init(endpoint: String, path: String, expected: String, found: String) {
        self.endpoint = endpoint
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String {
        "OpenEnergy \(endpoint): cannot decode \(path): expected \(expected), found \(found)"
    }
}
