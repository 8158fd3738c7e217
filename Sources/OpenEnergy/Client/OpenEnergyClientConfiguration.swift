import Foundation

/// Where and how the client talks to the API.
public struct OpenEnergyClientConfiguration: Sendable {
    /// The API's base URL; contract paths (`v1/coredata`, ...) are resolved against it.
    public var baseURL: URL
    /// App credentials for the Backend API, sent as headers (MuleSoft's client-id enforcement:
    /// `client_id` / `client_secret`); `nil` for the Client API.
    public var backendCredentialHeaders: BackendCredentials?
    /// How a request names the user whose data it reads.
    public var userIdentification: UserIdentification
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
    /// How bodies are read where the contract leaves it open (the zone of timestamps without one).
    public var decoding = OpenEnergyDecodingOptions()

    /// The longest range the API contract allows per meter data request (31 days).
    public static let contractMaximumRange: TimeInterval = OpenEnergyWire.maximumMeterDataRange

    public init(
        baseURL: URL,
        backendCredentialHeaders: BackendCredentials? = nil,
        userIdentification: UserIdentification = .bearerToken,
        requestTimeout: TimeInterval = 60,
        maximumBodySize: Int = 32 * 1024 * 1024,
        maximumRangePerRequest: TimeInterval = OpenEnergyClientConfiguration.contractMaximumRange,
        contract: OpenEnergyContract = OpenEnergyContract()
    ) {
        self.contract = contract
        self.baseURL = baseURL
        self.backendCredentialHeaders = backendCredentialHeaders
        self.userIdentification = userIdentification
        self.requestTimeout = requestTimeout
        self.maximumBodySize = maximumBodySize
        if maximumRangePerRequest != Self.contractMaximumRange { self.contract.maximumRange = maximumRangePerRequest }
    }
}

/// How an API request names the user: the user's own access token (Client API, and the Backend API
/// where it takes the user's token beside the app credentials), or a header or query parameter with the
/// user's id, where the backend gets no token. The token is then not sent at all.
public enum UserIdentification: Sendable, Equatable {
    case bearerToken
    case header(name: String, value: String)
    case queryParameter(name: String, value: String)
}

/// App credentials issued by CKW. The secret never appears in descriptions.
public struct BackendCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var clientSecret: String?
    /// The header names they travel in.
    public var clientIDHeader: String
    public var clientSecretHeader: String

    public static let defaultClientIDHeader = OpenEnergyWire.BackendHeaders.clientID
    public static let defaultClientSecretHeader = OpenEnergyWire.BackendHeaders.clientSecret

    public init(
        clientID: String, clientSecret: String?,
        clientIDHeader: String = BackendCredentials.defaultClientIDHeader,
        clientSecretHeader: String = BackendCredentials.defaultClientSecretHeader
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientIDHeader = clientIDHeader
        self.clientSecretHeader = clientSecretHeader
    }

    public var description: String { "BackendCredentials(clientID: \(clientID), clientSecret: \(clientSecret == nil ? "none" : "<redacted>"))" }
    public var debugDescription: String { description }
}
