import Foundation
import Testing
@testable import HomeAssistant

/// The payload writer: valid JSON that Foundation's parser reads back, in a stable, readable form.
@Suite struct JSONWritingTests {
    private func text(_ value: JSONValue) -> String { String(decoding: value.encoded(), as: UTF8.self) }

    @Test func keysAreSortedAndOutputIsCompact() {
        let value = JSONValue.object(["b": .integer(1), "a": .array([.null, .bool(true), .bool(false)]), "C": .object([:])])
        #expect(text(value) == #"{"C":{},"a":[null,true,false],"b":1}"#)
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() throws {
        let original = "Zürich / \"Süd\" \\ tab\there\nline\r\u{1} ☀️"
        let written = text(.string(original))
        #expect(written == #""Zürich / \"Süd\" \\ tab\there\nline\r\u0001 ☀️""#)
        let parsed = try JSONSerialization.jsonObject(with: Data(written.utf8), options: [.fragmentsAllowed])
        #expect(parsed as? String == original)
    }

    @Test(arguments: [
        (0.456, "0.456"),
        (12_345.678, "12345.678"),
        (4_321.0, "4321"),
        (-0.0, "0"),
        (-1_332.5, "-1332.5"),
        (0.000_01, "1e-05"),
        (1e300, "1e+300"),
    ])
    func numbersTakeTheirShortestForm(number: Double, expected: String) throws {
        #expect(text(.number(number)) == expected)
        let parsed = try JSONSerialization.jsonObject(with: Data(expected.utf8), options: [.fragmentsAllowed])
        #expect((parsed as? NSNumber)?.doubleValue == number)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(text(.number(.nan)) == "null")
        #expect(text(.number(-.infinity)) == "null")
        #expect(text(.decimal(.infinity)) == "null")
    }

    @Test func integersAreExact() {
        #expect(text(.integer(Int.min)) == "-9223372036854775808")
        #expect(text(.integer(-1_332)) == "-1332")
    }

    @Test func prettyPrintingIndentsByTwoSpaces() {
        let value = JSONValue.object(["list": .array([.integer(1)]), "empty": .array([]), "name": .string("x")])
        #expect(value.prettyPrinted() == """
            {
              "empty": [],
              "list": [
                1
              ],
              "name": "x"
            }
            """)
    }

    @Test func readingBackAndWritingAgainGivesTheSameBytes() throws {
        let value = JSONValue.object([
            "total": .number(12_345.678), "whole": .number(4_321), "net": .integer(-1_332),
            "flag": .bool(false), "none": .null, "text": .string("a/b \"c\""),
        ])
        let reread = try JSONDecoder().decode(JSONValue.self, from: Data(value.encoded()))
        #expect(reread.encoded() == value.encoded())
    }
}
