import Bridge
import Foundation
import TestSupport
import Testing

@Suite("Configuration: who may act on the web page (http.ingress_proxy, http.auth)")
struct ConfigurationWebPageTests {
    private func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> BridgeConfiguration {
        try ConfigurationLoader(environment: baseEnvironment.merging(environment) { $1 }, ckwRequirement: .suppliedByCaller).load(yaml: yaml)
    }

    private func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(yaml, environment: environment)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("By default Home Assistant's ingress proxy is trusted and no password is set")
    func defaults() throws {
        let config = try load("")
        #expect(config.http.ingressProxy == "172.30.32.2")
        #expect(config.http.auth == HTTPAuthSettings())
    }

    @Test("The ingress proxy is an IP address, or none")
    func ingressProxy() throws {
        #expect(try load("http:\n  ingress_proxy: none\n").http.ingressProxy == nil)
        #expect(try load("http:\n  ingress_proxy: fd00::2\n").http.ingressProxy == "fd00::2")
        #expect(try load("", environment: ["CKW2MQTT_HTTP_INGRESS_PROXY": "10.0.0.2"]).http.ingressProxy == "10.0.0.2")
        #expect(problems("http:\n  ingress_proxy: supervisor\n") == [
            "config.yaml:2: http.ingress_proxy: expected the IP address of Home Assistant's ingress proxy (172.30.32.2) or `none`, got `supervisor`",
        ])
    }

    @Test("The password comes from a file, trimmed, and is never printed")
    func passwordFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("web_password", "s3cret pass\n")
        let config = try load("http:\n  auth:\n    username: owner\n    password_file: \(path)\n")
        #expect(config.http.auth.username == "owner")
        #expect(config.http.auth.password?.plaintext == "s3cret pass")
        #expect(!config.description.contains("s3cret"))
        #expect(config.description.contains("password_file"))
    }

    @Test("User name and password go together")
    func bothHalves() {
        #expect(problems("http:\n  auth:\n    password: x\n") == [
            "config.yaml:3: http.auth.password: needs `http.auth.username` as well: the browser asks for a user name and a password",
        ])
        #expect(problems("http:\n  auth:\n    username: owner\n") == [
            "config.yaml:3: http.auth.username: needs `http.auth.password_file` (or `http.auth.password`) as well",
        ])
    }
}
