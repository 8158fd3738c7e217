import Foundation

/// Where and how the client talks to the API.
public struct OpenEnergyClientConfiguration: Sendable {
    /// The API's base URL; contract paths (`v1/coredata`, ...) are resolved against it.
    public var baseURL: URL
    /// App credentials for the Backend API, sent as `client_id` / `client_secret` headers where CKW's
    /// gateway wants them; `nil` for the Client API.
    public var backendCredentialHeaders: BackendCredentials?
    /// Deadline for one HTTP exchange, body included.
    public var requestTimeout: TimeInterval
    /// Larger bodies are refused (a 31-day response is about 1 MB).
    public var maximumBodySize: Int
    /// Paths, query names, time format, longest range and reset unit: the adaptable contract.
    public var contract: OpenEnergyContract
    /// Longest range per meter data request; longer ranges are split (the contract's).
    public var maximumRangePerRequest: TimeInterval {
        get { contract.maximumRange }
        set { contract.maximumRange = newValue }
    }

    /// The longest range the API contract allows per meter data request (31 days).
    public static let contractMaximumRange: TimeInterval = OpenEnergyWire.maximumMeterDataRange

    public init(
        baseURL: URL,
        backendCredentialHeaders: BackendCredentials? = nil,
        requestTimeout: TimeInterval = 60,
        maximumBodySize: Int = 32 * 1024 * 1024,
        maximumRangePerRequest: TimeInterval = OpenEnergyClientConfiguration.contractMaximumRange,
        contract: OpenEnergyContract = OpenEnergyContract()
    ) {
        self.contract = contract
        self.baseURL = baseURL
        self.backendCredentialHeaders = backendCredentialHeaders
        self.requestTimeout = requestTimeout
        self.maximumBodySize = maximumBodySize
        if maximumRangePerRequest != Self.contractMaximumRange { self.contract.maximumRange = maximumRangePerRequest }
    }
}

/// App credentials issued by CKW. The secret never appears in descriptions.
public struct BackendCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var clientSecret: String?

    public init(clientID: String, clientSecret: String?) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String { "BackendCredentials(clientID: \(clientID), clientSecret: \(clientSecret == nil ? "none" : "<redacted>"))" }
    public var debugDescription: String { description }
}
