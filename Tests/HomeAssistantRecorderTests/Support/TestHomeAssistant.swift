import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HomeAssistantRecorder
import TestSupport

/// A real Home Assistant (2025.4.4, from the Python test environment) on a free loopback port in a
/// temporary directory, onboarded with an owner and a long-lived access token minted for it.
final class TestHomeAssistant: Sendable {
    let port: Int
    let directory: TemporaryDirectory
    let process: ChildProcess
    /// A long-lived access token of the (administrator) owner.
    let accessToken: String

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var endpoint: HomeAssistantEndpoint { try! HomeAssistantEndpoint(url: url) }

    private init(port: Int, directory: TemporaryDirectory, process: ChildProcess, accessToken: String) {
        self.port = port
        self.directory = directory
        self.process = process
        self.accessToken = accessToken
    }

    /// `hass` from `$CKW2MQTT_HASS`, else from the venv `scripts/setup-python-test-env` creates.
    static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CKW2MQTT_HASS"], !path.isEmpty { return path }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let venv = packageRoot.appendingPathComponent(".build-python/venv/bin/hass").path
        guard FileManager.default.isExecutableFile(atPath: venv) else {
            throw TestFailure("Home Assistant is needed: run scripts/setup-python-test-env (creates \(venv)), or set CKW2MQTT_HASS to a hass 2025.4.4 executable")
        }
        return venv
    }

    static func start(recorder: Bool = true) async throws -> TestHomeAssistant {
        // The free port may be taken by another test in the seconds before hass binds it; hass
        // then runs without its HTTP server, so that start is given up and tried on a new port.
        for _ in 1..<3 {
            do {
                return try await start(recorder: recorder, port: try FreePort.find())
            } catch is PortTaken {
                continue
            }
        }
        return try await start(recorder: recorder, port: try FreePort.find())
    }

    private struct PortTaken: Error, CustomStringConvertible {
        var description: String { "another process took the port chosen for hass" }
    }

    private static func start(recorder: Bool, port: Int) async throws -> TestHomeAssistant {
        let hass = try executable()
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-ha")
        try configuration(port: port, recorder: recorder, directory: directory)
            .write(toFile: directory.file("configuration.yaml"), atomically: true, encoding: .utf8)
        let process = try ChildProcess(executable: hass, arguments: ["--config", directory.path, "--skip-pip"])
        do {
            let base = "http://127.0.0.1:\(port)"
            try await waitUntilServing(base: base, process: process)
            let accessToken = try await onboardOwner(base: base)
            let connection = try await HomeAssistantWebSocket.connect(to: HomeAssistantEndpoint(url: URL(string: base)!), accessToken: accessToken)
            let longLived: String = try await connection.request(
                LongLivedTokenCommand(clientName: "ckw2mqtt tests"), type: "auth/long_lived_access_token")
            await connection.close()
            return TestHomeAssistant(port: port, directory: directory, process: process, accessToken: longLived)
        } catch let taken as PortTaken {
            await process.stop()
            directory.remove()
            throw taken
        } catch {
            await process.stop()
            directory.remove()
            throw TestFailure("Home Assistant did not start: \(error)\n\(process.outputText.suffix(4000))")
        }
    }

    func stop() async {
        await process.stop()
        directory.remove()
    }

    private static func configuration(port: Int, recorder: Bool, directory: TemporaryDirectory) -> String {
        var yaml = """
        homeassistant:
          name: ckw2mqtt test
          time_zone: Europe/Zurich
          unit_system: metric
          currency: CHF
          country: CH
          latitude: 47.05
          longitude: 8.31
          elevation: 435
        http:
          server_host: 127.0.0.1
          server_port: \(port)
        api:

        """
        if recorder {
            // Commit at once, so what was imported can be read back without waiting a second.
            yaml += """
            recorder:
              db_url: sqlite:///\(directory.file("home-assistant.db"))
              commit_interval: 0

            """
        }
        return yaml
    }

    private static func waitUntilServing(base: String, process: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestFailure("hass exited (\(process.terminationStatus))") }
            if process.outputText.contains("Failed to create HTTP server") { throw PortTaken() }
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "\(base)/api/onboarding")!),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("hass did not serve /api/onboarding within 90 s")
    }

    /// The onboarding's first step creates the owner and returns an authorization code for it.
    private static func onboardOwner(base: String) async throws -> String {
        struct Created: Decodable { var auth_code: String }
        struct Tokens: Decodable { var access_token: String }
        let clientID = "\(base)/"
        let owner: [String: String] = [
            "client_id": clientID, "name": "Owner", "username": "owner", "password": "owner-password-1", "language": "en",
        ]
        var request = URLRequest(url: URL(string: "\(base)/api/onboarding/users")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(owner)
        let created = try JSONDecoder().decode(Created.self, from: try await URLSession.shared.data(for: request).0)

        var tokenRequest = URLRequest(url: URL(string: "\(base)/auth/token")!)
        tokenRequest.httpMethod = "POST"
        tokenRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        let form = "grant_type=authorization_code&code=\(created.auth_code)&client_id=\(clientID.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        tokenRequest.httpBody = Data(form.utf8)
        return try JSONDecoder().decode(Tokens.self, from: try await URLSession.shared.data(for: tokenRequest).0).access_token
    }
}

struct LongLivedTokenCommand: Encodable, Sendable {
    let type = "auth/long_lived_access_token"
    var clientName: String
    var lifespan = 1

    enum CodingKeys: String, CodingKey {
        case type, lifespan
        case clientName = "client_name"
    }
}

/// Runs `body` with a fresh Home Assistant and stops it afterwards, also when `body` throws.
func withHomeAssistant<Result>(recorder: Bool = true, _ body: (TestHomeAssistant) async throws -> Result) async throws -> Result {
    let homeAssistant = try await TestHomeAssistant.start(recorder: recorder)
    do {
        let result = try await body(homeAssistant)
        await homeAssistant.stop()
        return result
    } catch {
        await homeAssistant.stop()
        throw error
    }
}

/// Polls until `body` returns a value satisfying `condition`: Home Assistant writes imports
/// asynchronously, a moment after acknowledging them.
func eventually<Value>(
    _ what: String, timeout: Duration = .seconds(20), _ body: () async throws -> Value, until condition: (Value) -> Bool
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    var last: Value?
    while ContinuousClock.now < deadline {
        let value = try await body()
        if condition(value) { return value }
        last = value
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("timed out waiting for \(what); last seen: \(String(describing: last))")
}
