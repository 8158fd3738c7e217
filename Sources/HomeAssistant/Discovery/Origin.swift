/// Who published a discovery config; Home Assistant shows it in logs and the MQTT device info.
public struct Origin: Sendable, Hashable {
    public var name: String
    public var softwareVersion: String
    /// Where users report problems; left out of the config when `nil`.
    public var supportURL: String?

    public init(name: String = "ckw2mqtt", softwareVersion: String, supportURL: String? = nil) {
        self.name = name
        self.softwareVersion = softwareVersion
        self.supportURL = supportURL
    }

    var json: JSONValue {
        var origin: [String: JSONValue] = [
            "name": .string(name),
            "sw_version": .string(softwareVersion),
        ]
        if let supportURL { origin["support_url"] = .string(supportURL) }
        return .object(origin)
    }
}
