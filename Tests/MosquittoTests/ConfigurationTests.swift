import Mosquitto
import Testing

@Suite("Configuration checks")
struct ConfigurationTests {
    private func configuration(_ change: (inout MQTTClient.Configuration) -> Void) -> MQTTClient.Configuration {
        var configuration = MQTTClient.Configuration(host: "127.0.0.1", port: 1883, clientID: "config-test")
        change(&configuration)
        return configuration
    }

    enum Mistake: String, CaseIterable {
        case keepAliveTooShort, sessionExpiryOnMQTT311, persistentSessionWithoutID, portZero, wildcardWillTopic
        case zeroQueueBound, reconnectDelaysReversed

        func apply(to configuration: inout MQTTClient.Configuration) {
            switch self {
            case .keepAliveTooShort: configuration.keepAlive = .seconds(2)
            case .sessionExpiryOnMQTT311: configuration.sessionExpiry = .seconds(60)
            case .persistentSessionWithoutID: configuration.clientID = ""; configuration.cleanStart = false
            case .portZero: configuration.port = 0
            case .wildcardWillTopic: configuration.will = .init(topic: "status/#", payload: "offline")
            case .zeroQueueBound: configuration.maxQueuedMessages = 0
            case .reconnectDelaysReversed: configuration.reconnect = .init(initialDelay: .seconds(2), maximumDelay: .seconds(1))
            }
        }
    }

    @Test(arguments: Mistake.allCases)
    func unusableConfigurationsAreRejectedAtCreation(mistake: Mistake) {
        let error = #expect(throws: MQTTError.self) {
            try MQTTClient(configuration: configuration { mistake.apply(to: &$0) })
        }
        guard case .invalidConfiguration = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
    }

    @Test func unreadableCAFileIsReportedWithItsPath() {
        let error = #expect(throws: MQTTError.self) {
            try MQTTClient(configuration: configuration { $0.tls = .init(trustRoots: .caFile("/nonexistent/ca.crt")) })
        }
        #expect(error?.description.contains("/nonexistent/ca.crt") == true)
    }

    @Test func sessionExpiryIsAcceptedWithMQTT5() throws {
        _ = try MQTTClient(configuration: configuration { $0.protocolVersion = .v5; $0.sessionExpiry = .seconds(3600) })
    }
}
