import Foundation
import OpenEnergy
import Testing

@Suite("Masking responses for bug reports")
struct SensitiveDataMaskerTests {
    static let body = """
        {"customer":{"customerNumber":"1234567","name":"Anna Muster","kundenNr":4711},
         "meteringPoints":[{"meteringPointId":"CH1008801234500000000000000012345","meterNumber":"71234567",
           "address":{"street":"Seestrasse 1","zip":"6004","city":"Luzern"},"emails":["anna@example.ch"],
           "series":[{"obis":"1-1:1.8.1","unit":"Wh","value":"0.1230","note":"point CH1008801234500000000000000012345"}]},
          {"meteringPointId":"CH1008801234500000000000000067890","unknownField":1.50}]}
        """

    @Test("Names, addresses, customer numbers, ids and e-mails are masked; everything else is kept byte for byte")
    func masksPersonalData() {
        let masker = SensitiveDataMasker()
        let masked = masker.mask(Data(Self.body.utf8))
        for secret in ["1234567", "Anna Muster", "4711", "CH1008801234500000000000000012345", "71234567", "Seestrasse 1", "6004", "Luzern",
                       "anna@example.ch", "CH1008801234500000000000000067890"] {
            #expect(!masked.contains(secret), "\(secret) is still in the masked body")
        }
        let addressLine = Self.body.split(separator: "\n")[2]
        let layout = "\n" + addressLine[..<addressLine.range(of: #""street":""#)!.upperBound]
        for kept in [#""obis":"1-1:1.8.1""#, #""unit":"Wh""#, #""value":"0.1230""#, #""unknownField":1.50"#, layout] {
            #expect(masked.contains(kept), "\(kept) was changed")
        }
        // The first id is masked alike in the field and inside the free text, the second differently.
        #expect(masked.contains(#""meteringPointId":"CHMASKED0000000000000000000000001""#))
        #expect(masked.contains(#""note":"point CHMASKED0000000000000000000000001""#))
        #expect(masked.contains(#""meteringPointId":"CHMASKED0000000000000000000000002""#))
        // Numbers keep their digit count.
        #expect(masked.contains(#""kundenNr":9001"#))
    }

    @Test("One masker gives a value the same mask in bodies, URLs and text; a registered id of any form is masked in paths")
    func consistentMasks() {
        let masker = SensitiveDataMasker()
        let body = masker.mask(Data(Self.body.utf8))
        let url = masker.mask(text: "https://api.example/v1/meterdata/CH1008801234500000000000000067890?from=2026-11-26T23:00:00Z")
        #expect(body.contains("CHMASKED0000000000000000000000002"))
        #expect(url == "https://api.example/v1/meterdata/CHMASKED0000000000000000000000002?from=2026-11-26T23:00:00Z")
        masker.register(meteringPointId: "pt-77")
        // The third metering point this masker saw (after the two of the body).
        #expect(masker.mask(text: "/api/v2/points/pt-77/readings") == "/api/v2/points/meteringPoint-3/readings")
        #expect(masker.mask(text: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl") == "Bearer token-1")
    }

    @Test("A body that is not JSON is masked as text")
    func text() {
        let masked = SensitiveDataMasker().mask(Data("<html>No route for CH1008801234500000000000000012345, ask anna@example.ch</html>".utf8))
        #expect(masked == "<html>No route for CHMASKED0000000000000000000000001, ask email-1</html>")
    }
}
