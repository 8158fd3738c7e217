import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// The bridge against a broker and a CKW look-alike that both speak TLS only, with certificates of
/// a CA made for the test: certificates are verified by default (with the right CA it works, with a
/// wrong or no CA it fails and says why) and only the explicitly named insecure options skip that,
/// with a warning in the log.
@Suite("TLS verification of the broker and the API", .timeLimit(.minutes(3)))
struct TLSVerificationTests {
    @Test("with the test CA configured for both, the bridge logs in, fetches and publishes; no warning")
    func rightCA() async throws {
        try await withTLSSetup { setup in
            var configuration = setup.configuration
            configuration.mqtt.tls.caFile = setup.certificates.caFile
            configuration.ckw.tls.caFile = setup.certificates.caFile
            let run = try setup.startBridge(configuration)
            try await run.waitForPublishedStates()
            #expect(!run.log.all.contains { $0.contains("insecure") })
            try await run.stop()
        }
    }

    @Test("a broker certificate from an unknown CA is refused with a readable error")
    func wrongBrokerCA() async throws {
        try await withTLSSetup { setup in
            var configuration = setup.configuration
            configuration.mqtt.tls.caFile = setup.certificates.unrelatedCAFile
            configuration.ckw.tls.caFile = setup.certificates.caFile
            let run = try setup.startBridge(configuration)
            let line = try await run.log.waitForLine("about the broker's certificate") { $0.contains("TLS failure") }
            #expect(line.contains("certificate verify failed"), "\(line)")
            #expect(!run.statesPublished)
            try await run.stop()
        }
    }

    @Test("an API certificate from a CA that is not trusted is refused with a readable error", arguments: [
        TrustChoice.systemStore, .unrelatedCA,
    ])
    func untrustedAPI(_ trust: TrustChoice) async throws {
        try await withTLSSetup { setup in
            var configuration = setup.configuration
            configuration.mqtt.tls.caFile = setup.certificates.caFile
            configuration.ckw.tls.caFile = trust == .unrelatedCA ? setup.certificates.unrelatedCAFile : nil
            let run = try setup.startBridge(configuration)
            let line = try await run.log.waitForLine("about the API's certificate") { $0.contains("certificate") && $0.contains("127.0.0.1") }
            #expect(line.contains("not trusted"), "\(line)")
            #expect(line.contains("ckw.tls.ca_file"), "\(line)")
            #expect(!run.statesPublished)
            try await run.stop()
        }
    }

    @Test("the explicit insecure options connect without any CA and each logs a warning")
    func insecureOptions() async throws {
        try await withTLSSetup { setup in
            var configuration = setup.configuration
            configuration.mqtt.tls.insecureSkipVerify = true
            configuration.ckw.tls.insecureSkipVerify = true
            let run = try setup.startBridge(configuration)
            try await run.waitForPublishedStates()
            let warnings = run.log.all.filter { $0.hasPrefix("warning") }
            #expect(warnings.contains { $0.contains("mqtt.tls.insecure_skip_verify is set") && $0.contains("NOT verified") })
            #expect(warnings.contains { $0.contains("ckw.tls.insecure_skip_verify is set") && $0.contains("NOT verified") })
            try await run.stop()
        }
    }

    @Test("skipping only the host-name check accepts the CA's certificate for another name, with a warning")
    func hostNameOnly() async throws {
        try await withTLSSetup(brokerCertificate: \.otherNameCertificateFile, brokerKey: \.otherNameKeyFile) { setup in
            var configuration = setup.configuration
            configuration.mqtt.tls.caFile = setup.certificates.caFile
            configuration.ckw.tls.caFile = setup.certificates.caFile
            let refused = try setup.startBridge(configuration)
            let line = try await refused.log.waitForLine("about the host name") { $0.contains("TLS failure") }
            #expect(!refused.statesPublished, "\(line)")
            try await refused.stop()

            configuration.mqtt.tls.insecureSkipVerifyHostname = true
            let run = try setup.startBridge(configuration)
            try await run.waitForPublishedStates()
            #expect(run.log.all.contains { $0.hasPrefix("warning") && $0.contains("mqtt.tls.insecure_skip_verify_hostname is set") })
            try await run.stop()
        }
    }

    @Test("a CA file that is not PEM stops the bridge at start with the key named")
    func unusableCAFile() async throws {
        try await withTLSSetup { setup in
            let garbage = setup.certificates.directory.file("not-a-ca.pem")
            try "this is not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
            var configuration = setup.configuration
            configuration.mqtt.tls.caFile = setup.certificates.caFile
            configuration.ckw.tls.caFile = garbage
            let error = #expect(throws: (any Error).self) {
                _ = try BridgeService(configuration: configuration, options: BridgeOptions(), logger: Logger(label: "test"))
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("ckw.tls.ca_file"))
        }
    }

    enum TrustChoice: Sendable, CustomStringConvertible {
        case systemStore, unrelatedCA
        var description: String { self == .systemStore ? "no CA configured (system store)" : "an unrelated CA" }
    }
}

/// A TLS-only broker and an HTTPS simulator (both with certificates of the test CA for 127.0.0.1),
/// and a login made over HTTPS.
struct TLSSetup: Sendable {
    let certificates: TestCertificates
    let broker: TestBroker
    let simulator: SimulatorServer
    let directory: TemporaryDirectory

    var stateDirectory: String { directory.file("state") }

    /// TLS on for the broker, the simulator as issuer and API; the trust settings are up to each test.
    var configuration: BridgeConfiguration {
        var configuration = BridgeConfiguration(stateDirectory: stateDirectory)
        configuration.mqtt.host = "127.0.0.1"
        configuration.mqtt.port = broker.port
        configuration.mqtt.clientID = "ckw2mqtt-tls-\(UUID().uuidString.prefix(8))"
        configuration.mqtt.tls.enabled = true
        configuration.ckw.issuer = .custom(simulator.issuerURL)
        configuration.ckw.apiBaseURL = simulator.clientAPIBaseURL
        configuration.ckw.clientID = "ckw2mqtt"
        return configuration
    }

    func startBridge(_ configuration: BridgeConfiguration) throws -> TLSBridgeRun {
        let run = TLSBridgeRun()
        let options = BridgeOptions(
            clock: PolledClock(slice: .milliseconds(10)) { [simulator] in simulator.clock.now },
            randomUnit: { 0 },
            birthDelay: .milliseconds(10) ... .milliseconds(10),
            tokenCheckInterval: .milliseconds(50),
            retryDelay: .milliseconds(100),
            retryDelayLimit: .milliseconds(500),
            flushInterval: .zero,
            observer: { event in
                if case .statesAcknowledged = event.kind { run.published.withLock { $0 = true } }
            })
        let bridge = try BridgeService(configuration: configuration, options: options, logger: run.log.logger())
        run.task.withLock { $0 = Task { try await bridge.run() } }
        return run
    }
}

/// One bridge of a TLS test, running in this process.
final class TLSBridgeRun: Sendable {
    let log = LogRecording()
    let published = Mutex(false)
    let task = Mutex<Task<Void, any Error>?>(nil)

    var statesPublished: Bool { published.withLock { $0 } }

    /// Meter data came over HTTPS and the broker acknowledged the states over TLS.
    func waitForPublishedStates() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !statesPublished {
            guard ContinuousClock.now < deadline else {
                throw RecordingTimeout(description: "no states published; log:\n\(log.all.joined(separator: "\n"))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async throws {
        guard let task = task.withLock({ $0 }) else { return }
        task.cancel()
        try await task.value
    }
}

private func withTLSSetup(
    brokerCertificate: KeyPath<TestCertificates, String> = \.serverCertificateFile,
    brokerKey: KeyPath<TestCertificates, String> = \.serverKeyFile,
    _ body: (TLSSetup) async throws -> Void
) async throws {
    let certificates = try TestCertificates.generate()
    defer { certificates.directory.remove() }
    let broker = try await TestBroker.start(TestBroker.Options(tls: .init(
        caFile: certificates.caFile, certificateFile: certificates[keyPath: brokerCertificate],
        keyFile: certificates[keyPath: brokerKey])))
    var simulatorLogger = Logger(label: "simulator")
    simulatorLogger.logLevel = .error
    let simulator: SimulatorServer
    do {
        simulator = try await SimulatorServer.start(SimulatorConfiguration(
            autoApprove: true, rateLimit: nil, population: .init(customers: 1, meteringPointsPerCustomer: 1),
            delivery: .immediate, clockStart: BridgeHarness.start, clockSpeed: 0,
            tls: .init(certificateChainFile: certificates.serverCertificateFile, privateKeyFile: certificates.serverKeyFile),
            logger: simulatorLogger))
    } catch {
        await broker.shutdown()
        throw error
    }
    let directory = try TemporaryDirectory(prefix: "ckw2mqtt-tls")
    let setup = TLSSetup(certificates: certificates, broker: broker, simulator: simulator, directory: directory)
    do {
        try await logIn(setup)
        try await body(setup)
    } catch {
        await simulator.shutdown()
        await broker.shutdown()
        directory.remove()
        throw error
    }
    await simulator.shutdown()
    await broker.shutdown()
    directory.remove()
}

/// `ckw2mqtt login` over HTTPS, trusting the test CA.
private func logIn(_ setup: TLSSetup) async throws {
    let httpClient = try OpenEnergyHTTP.makeHTTPClient(tls: OpenEnergyTLS(caFile: setup.certificates.caFile))
    do {
        try await AutomaticLogin.login(
            client: OIDCClientConfiguration(issuer: OIDCIssuer(setup.simulator.issuerURL), clientID: "ckw2mqtt"),
            store: TokenStore(directory: URL(fileURLWithPath: setup.stateDirectory)), httpClient: httpClient)
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
    try await httpClient.shutdown()
}
