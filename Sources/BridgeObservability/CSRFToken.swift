import Crypto
import Foundation

/// The token every POST of the web page must carry in `X-CSRF-Token`. It is random per process and
/// appears only in pages served to clients that may act, so another site cannot know it: a form
/// or script elsewhere that makes a browser post here is refused.
public struct CSRFToken: Sendable {
    public let value: String

    public init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        value = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(value: String) {
        self.value = value
    }

    public static let headerName = "X-CSRF-Token"

    public func accepts(_ presented: String?) -> Bool {
        guard let presented, !presented.isEmpty else { return false }
        return WebAccessPolicy.constantTimeEqual(presented, value)
    }
}

/// The path prefix Home Assistant's ingress serves the page under (`X-Ingress-Path`, e.g.
/// `/api/hassio_ingress/<token>`). It only becomes the page's `<base href>`: every URL of the page
/// is relative, so the page works behind any prefix, and a header that is not a plain path is ignored.
public enum IngressPath {
    public static let headerName = "X-Ingress-Path"

    /// The `<base href>` for the header's value, ending in `/`; `nil` without a usable header.
    public static func baseHref(_ header: String?) -> String? {
        guard let header, header.hasPrefix("/"), header.count <= 512 else { return nil }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/%")
        guard header.unicodeScalars.allSatisfy({ allowed.contains($0) }), !header.hasPrefix("//") else { return nil }
        return header.hasSuffix("/") ? header : header + "/"
    }
}
