import Bridge
import Foundation
import Testing

/// Every example configuration loads through the real loader, from its file, as `--config` would.
@Suite("examples/*.yaml configurations")
struct ExampleConfigurationTests {
    private let environment = ["STATE_DIRECTORY": FileManager.default.temporaryDirectory.path]

    @Test func everyConfigurationFileLoads() throws {
        let files = try RepositoryFiles.files(in: "examples", extensions: ["yaml", "yml"])
        #expect(files.count >= 3)
        for file in files {
            // The reference file leaves the CKW keys commented out, as a template must.
            let requirement: ConfigurationLoader.CKWRequirement = file.hasSuffix("/config.yaml") ? .suppliedByCaller : .required
            let secret = try SecretFile()
            do {
                _ = try ConfigurationLoader(environment: environment, ckwRequirement: requirement)
                    .load(file: RepositoryFiles.url(file).path, overrides: secret.overrides(for: file))
            } catch {
                Issue.record("\(file): \(error)")
            }
        }
    }

    @Test func theClientAPIExampleUsesALogin() throws {
        let configuration = try load("examples/config-client-api.yaml")
        #expect(configuration.ckw.mode == .client)
        #expect(configuration.ckw.scopes.contains("offline_access"))
        #expect(configuration.ckw.clientSecret == nil)
    }

    @Test func theBackendAPIExampleUsesAppCredentialsForManyMeteringPoints() throws {
        let configuration = try load("examples/config-backend-api.yaml")
        #expect(configuration.ckw.mode == .backend)
        #expect(configuration.ckw.appClientID != nil)
        #expect(configuration.ckw.appClientSecret != nil)
        #expect(configuration.ckw.userIdentification == .bearer)
        #expect((configuration.ckw.meteringPoints ?? []).count > 1)
    }

    @Test func everyFullExampleShowsEveryKeyTheLoaderKnows() throws {
        // The loader's rendering of the defaults lists every key; each example sets or shows it
        // commented out, so a key added to the loader cannot be forgotten in the examples.
        let rendering = BridgeConfiguration(stateDirectory: "/var/lib/ckw2mqtt").description
        let names = Set(rendering.split(separator: "\n").compactMap { line -> String? in
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            return parts.count == 2 && !parts[1].trimmingCharacters(in: .whitespaces).isEmpty ? String(parts[0]) : nil
        })
        #expect(names.count > 30)
        for file in ["examples/config.yaml", "examples/config-client-api.yaml", "examples/config-backend-api.yaml"] {
            let shown = try Self.keyNames(in: file)
            #expect(names.subtracting(shown).isEmpty, "\(file) does not show \(names.subtracting(shown).sorted())")
        }
    }

    private func load(_ file: String) throws -> BridgeConfiguration {
        let secret = try SecretFile()
        return try ConfigurationLoader(environment: environment, ckwRequirement: .required)
            .load(file: RepositoryFiles.url(file).path, overrides: secret.overrides(for: file))
    }

    /// `  # name:` and `  name:` lines: the keys a file sets or shows commented out (and some
    /// prose, which does no harm to a subset check).
    private static func keyNames(in file: String) throws -> Set<String> {
        let pattern = /^\s*(?:#\s)?\s*([a-z_]+):(?:\s|$)/
        return Set(try RepositoryFiles.text(file).split(separator: "\n").compactMap { line in
            (try? pattern.firstMatch(in: String(line))).map { String($0.output.1) }
        })
    }
}

/// The backend example reads its app client secret from a file that exists only on a real host; the
/// test points the key at a temporary file instead.
private struct SecretFile {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ckw2mqtt-deployment-secret-\(UUID().uuidString)").path
        try "not-a-real-secret\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func overrides(for file: String) -> [String: String] {
        file.hasSuffix("backend-api.yaml") ? ["ckw.app_client_secret_file": path] : [:]
    }
}
