import Foundation
import Mosquitto
import TestSupport
import Testing

@Suite("Authentication and TLS")
struct SecurityTests {
    @Test func rightPasswordConnectsAndWrongPasswordIsRefusedWithBackoff() async throws {
        var options = TestBroker.Options()
        options.users = ["meter": "correct horse"]
        try await withBroker(options) { broker in
            var good = TestClient.configuration(port: broker.port, name: "good")
            good.credentials = .init(username: "meter", password: "correct horse")
            let goodClient = try await TestClient.connected(good)
            try await goodClient.client.publish(topic: "auth/ok", payload: "x")

            var bad = TestClient.configuration(port: broker.port, name: "bad")
            bad.credentials = .init(username: "meter", password: "wrong")
            let badClient = try TestClient.started(bad)
            let events = try await badClient.events.waitUntil("three refused attempts") { events in
                events.compactMap(\.connectionFailure).count >= 3
            }
            let failure = try #require(events.compactMap(\.connectionFailure).first)
            guard case .connectionRefused(let code, let reason) = failure else {
                Issue.record("expected a refusal, got \(failure)")
                return
            }
            #expect(code == 5)
            #expect(reason.contains("not authorised"))
            // It keeps trying, with a growing attempt number, and never connects.
            let attempts = events.compactMap { if case .reconnectScheduled(let attempt, _) = $0 { attempt } else { nil } }
            #expect(Array(attempts.prefix(3)) == [1, 2, 3])
            #expect(events.allSatisfy { !$0.isConnected })
            await badClient.client.shutdown()
            await goodClient.client.shutdown()
        }
    }

    private func tlsBroker(_ certificates: TestCertificates, serverCertificate: String, serverKey: String) -> TestBroker.Options {
        var options = TestBroker.Options()
        options.tls = .init(caFile: certificates.caFile, certificateFile: serverCertificate, keyFile: serverKey)
        return options
    }

    @Test func tlsWithTheRightCAConnectsAndAWrongCAFailsReadably() async throws {
        let certificates = try TestCertificates.generate()
        defer { certificates.directory.remove() }
        let options = tlsBroker(certificates, serverCertificate: certificates.serverCertificateFile, serverKey: certificates.serverKeyFile)
        try await withBroker(options) { broker in
            var trusted = TestClient.configuration(port: broker.port, name: "tls")
            trusted.tls = .init(trustRoots: .caFile(certificates.caFile))
            let client = try await TestClient.connected(trusted)
            let topic = "tls/\(UUID().uuidString)"
            let received = Recorder(try await client.client.subscribe(to: topic))
            try await client.client.publish(topic: topic, payload: "encrypted")
            #expect(try await received.waitForCount(1).map(\.payloadString) == ["encrypted"])
            await client.client.shutdown()

            var untrusted = TestClient.configuration(port: broker.port, name: "wrong-ca")
            untrusted.tls = .init(trustRoots: .caFile(certificates.unrelatedCAFile))
            let failing = try TestClient.started(untrusted)
            let events = try await failing.events.waitUntil("two TLS failures") { $0.compactMap(\.connectionFailure).count >= 2 }
            let failure = try #require(events.compactMap(\.connectionFailure).first)
            #expect(failure.description.contains("TLS failure"))
            #expect(failure.description.contains("certificate verify failed"), "\(failure)")
            #expect(events.allSatisfy { !$0.isConnected })
            await failing.client.shutdown()
        }
    }

    @Test func hostNameCheckingIsOnByDefaultAndCanBeSwitchedOffExplicitly() async throws {
        let certificates = try TestCertificates.generate()
        defer { certificates.directory.remove() }
        let options = tlsBroker(certificates, serverCertificate: certificates.otherNameCertificateFile, serverKey: certificates.otherNameKeyFile)
        try await withBroker(options) { broker in
            var strict = TestClient.configuration(port: broker.port, name: "strict")
            strict.tls = .init(trustRoots: .caFile(certificates.caFile))
            let strictClient = try TestClient.started(strict)
            let events = try await strictClient.events.waitUntil("a TLS failure") { $0.contains { $0.connectionFailure != nil } }
            #expect(events.compactMap(\.connectionFailure).first?.description.contains("TLS failure") == true)
            await strictClient.client.shutdown()

            var relaxed = strict
            relaxed.clientID = "relaxed-\(UUID().uuidString.prefix(8))"
            relaxed.tls?.certificateVerification = .noHostnameVerification
            let relaxedClient = try await TestClient.connected(relaxed)
            await relaxedClient.client.shutdown()
        }
    }
}
