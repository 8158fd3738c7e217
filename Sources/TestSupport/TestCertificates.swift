import Foundation

/// A throw-away PKI made with the `openssl` command: a CA, a server certificate it signed for
/// 127.0.0.1, a second server certificate for a name we never connect to, and an unrelated CA.
/// Shared by the broker's and the API's TLS tests.
public struct TestCertificates: Sendable {
    public let directory: TemporaryDirectory
    public var caFile: String { directory.file("ca.crt") }
    public var serverCertificateFile: String { directory.file("server.crt") }
    public var serverKeyFile: String { directory.file("server.key") }
    /// Valid chain, but issued for `broker.invalid` only, so host-name verification fails on 127.0.0.1.
    public var otherNameCertificateFile: String { directory.file("other-name.crt") }
    public var otherNameKeyFile: String { directory.file("other-name.key") }
    /// A CA that signed nothing the broker presents.
    public var unrelatedCAFile: String { directory.file("unrelated-ca.crt") }

    public static func generate() throws -> TestCertificates {
        let openssl = try RequiredProgram.path("openssl", package: "openssl")
        let certificates = TestCertificates(directory: try TemporaryDirectory(prefix: "mosquitto-tls"))
        let d = certificates.directory
        let ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

        try run(openssl, ["req", "-x509"] + ecKey + ["-keyout", d.file("ca.key"), "-out", d.file("ca.crt"), "-days", "2", "-subj", "/CN=ckw2mqtt test CA"])
        try run(openssl, ["req", "-x509"] + ecKey + ["-keyout", d.file("unrelated-ca.key"), "-out", d.file("unrelated-ca.crt"), "-days", "2", "-subj", "/CN=unrelated CA"])
        try issueServerCertificate(openssl, directory: d, name: "server", subjectAltName: "IP:127.0.0.1,DNS:localhost", keyOptions: ecKey)
        try issueServerCertificate(openssl, directory: d, name: "other-name", subjectAltName: "DNS:broker.invalid", keyOptions: ecKey)
        return certificates
    }

    private static func issueServerCertificate(
        _ openssl: String, directory d: TemporaryDirectory, name: String, subjectAltName: String, keyOptions: [String]
    ) throws {
        let extensions = d.file("\(name).ext")
        try "subjectAltName=\(subjectAltName)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try run(openssl, ["req"] + keyOptions + ["-keyout", d.file("\(name).key"), "-out", d.file("\(name).csr"), "-subj", "/CN=\(name)"])
        try run(openssl, [
            "x509", "-req", "-in", d.file("\(name).csr"), "-CA", d.file("ca.crt"), "-CAkey", d.file("ca.key"),
            "-CAcreateserial", "-out", d.file("\(name).crt"), "-days", "2", "-extfile", extensions,
        ])
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let (status, output) = try ChildProcess.runBlocking(executable, arguments)
        guard status == 0 else { throw TestFailure("openssl \(arguments.joined(separator: " ")) failed: \(output)") }
    }
}
