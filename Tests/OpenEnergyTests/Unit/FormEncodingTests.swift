import Testing

@testable import OpenEnergy

/// The token endpoint's request bodies (`application/x-www-form-urlencoded`).
@Suite("Form encoding")
struct FormEncodingTests {
    @Test("unreserved characters stay, a space becomes +, everything else is percent-encoded in upper-case hex")
    func escaping() {
        #expect(FormEncoding.escape("azAZ09-._*") == "azAZ09-._*")
        #expect(FormEncoding.escape("a b") == "a+b")
        #expect(FormEncoding.escape("+/=&%~") == "%2B%2F%3D%26%25%7E")
        #expect(FormEncoding.escape("Zürich\n") == "Z%C3%BCrich%0A")
    }

    @Test("fields are joined with & in their order")
    func fields() {
        #expect(FormEncoding.encode([("grant_type", "refresh_token"), ("refresh_token", "a.b-c_d"), ("scope", "openid offline_access")])
            == "grant_type=refresh_token&refresh_token=a.b-c_d&scope=openid+offline_access")
    }
}
