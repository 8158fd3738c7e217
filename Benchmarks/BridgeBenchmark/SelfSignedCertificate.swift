import Foundation

/// A self-signed certificate for 127.0.0.1 made with `openssl`, so the simulator can speak HTTPS
/// as CKW does; the daemon trusts it as its CA file.
struct SelfSignedCertificate {
    var certificateFile: String
    var keyFile: String

    static func make(in directory: String) throws -> SelfSignedCertificate {
        let certificate = SelfSignedCertificate(certificateFile: directory + "/simulator.crt", keyFile: directory + "/simulator.key")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", certificate.keyFile, "-out", certificate.certificateFile,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkFailure("openssl could not make a certificate (status \(process.terminationStatus))") }
        return certificate
    }
}
