import Foundation

/// Hooks into the client's requests, for accounting and diagnostics.
public struct OpenEnergyClientObserver: Sendable {
    /// Asked before every request (retries included); throws to keep it from going out
    /// (`OpenEnergyError.budgetSpent`).
    public var admit: (@Sendable (_ endpoint: String) throws -> Void)?
    /// Every request as it goes out (retries included), with the time on the client's clock.
    public var requestSent: (@Sendable (Date) -> Void)?
    /// Every response, whatever its status.
    public var exchange: (@Sendable (OpenEnergyExchange) -> Void)?
    /// A 2xx response whose body could not be decoded, with the decoding error.
    public var undecodableBody: (@Sendable (OpenEnergyExchange, OpenEnergyError) -> Void)?

    public init(
        admit: (@Sendable (_ endpoint: String) throws -> Void)? = nil,
        requestSent: (@Sendable (Date) -> Void)? = nil,
        exchange: (@Sendable (OpenEnergyExchange) -> Void)? = nil,
        undecodableBody: (@Sendable (OpenEnergyExchange, OpenEnergyError) -> Void)? = nil
    ) {
        self.admit = admit
        self.requestSent = requestSent
        self.exchange = exchange
        self.undecodableBody = undecodableBody
    }
}
