import Foundation
import TestSupport
import Testing

@testable import OpenEnergy

@Suite("Token store")
struct TokenStoreTests {
    static func sampleTokens(_ suffix: String = "1") -> TokenSet {
        TokenSet(
            accessToken: "access-secret-\(suffix)",
            refreshToken: "refresh-secret-\(suffix)",
            obtainedAt: Date(timeIntervalSince1970: 1_800_000_000),
            accessTokenExpiresAt: Date(timeIntervalSince1970: 1_800_000_300),
            refreshTokenExpiresAt: nil,
            scope: "openid offline_access",
            issuer: "http://127.0.0.1:1/auth/realms/CKW",
            clientID: "ckw2mqtt"
        )
    }

    @Test("creates a 0700 directory and a 0600 file, and reads back what it wrote")
    func roundTripWithModes() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = TokenStore(directory: temporary.url.appendingPathComponent("state/ckw2mqtt"))
        #expect(try store.load() == nil)
        try store.save(Self.sampleTokens())
        #expect(try posixMode(of: store.directory) == 0o700)
        #expect(try posixMode(of: store.fileURL) == 0o600)
        #expect(try store.load() == Self.sampleTokens())
    }

    @Test("replaces the file by rename and leaves no temporary files")
    func atomicReplace() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = TokenStore(directory: temporary.url.appendingPathComponent("tokens"))
        try store.save(Self.sampleTokens("1"))
        let firstInode = try inode(of: store.fileURL)
        try store.save(Self.sampleTokens("2"))
        // A new inode: the file was replaced as a whole, never rewritten in place.
        #expect(try inode(of: store.fileURL) != firstInode)
        #expect(try store.load() == Self.sampleTokens("2"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: store.directory.path)
        #expect(entries == [TokenStore.fileName])
    }

    @Test("refuses a token file that others can read, and says how to fix it")
    func refusesReadableFile() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = TokenStore(directory: temporary.url.appendingPathComponent("tokens"))
        try store.save(Self.sampleTokens())
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: store.fileURL.path)
        do {
            _ = try store.load()
            Issue.record("an other-readable token file was used")
        } catch let error as OpenEnergyAuthError {
            guard case let .insecureTokenStore(path, mode, fix) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == store.fileURL.path)
            #expect(mode == "644")
            #expect(fix == "chmod 600 '\(store.fileURL.path)'")
            #expect(error.description.contains("other users"))
        }
    }

    @Test("refuses a store directory that others can enter")
    func refusesOpenDirectory() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = TokenStore(directory: temporary.url.appendingPathComponent("tokens"))
        try store.save(Self.sampleTokens())
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: store.directory.path)
        #expect(throws: OpenEnergyAuthError.insecureTokenStore(path: store.directory.path, mode: "755", fix: "chmod 700 '\(store.directory.path)'")) {
            try store.save(Self.sampleTokens("2"))
        }
        // Nothing was written.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: store.directory.path)
        #expect(try store.load() == Self.sampleTokens("1"))
    }

    @Test("a corrupt file is an error that names the file, not the content")
    func corruptFile() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let store = TokenStore(directory: temporary.url.appendingPathComponent("tokens"))
        try store.save(Self.sampleTokens())
        try Data("{\"accessToken\": \"secret-looking\"".utf8).write(to: store.fileURL)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: store.fileURL.path)
        do {
            _ = try store.load()
            Issue.record("a corrupt store loaded")
        } catch {
            #expect(String(describing: error).contains(store.fileURL.path))
            #expect(!String(describing: error).contains("secret-looking"))
        }
    }

    @Test("tokens never appear in descriptions")
    func redaction() {
        let tokens = Self.sampleTokens()
        for text in [tokens.description, tokens.debugDescription, String(describing: tokens), "\(tokens)", String(reflecting: tokens)] {
            #expect(!text.contains("access-secret"))
            #expect(!text.contains("refresh-secret"))
        }
    }
}
