import Foundation
import Testing

@testable import BusCore

@Suite struct YAMLScalarTests {
    static let tricky = [
        "yes", "no", "Yes", "ON", "off", "y", "n", "true", "False", "123", "-7", "+3", "0.5", ".5", "1e5", "1E-3",
        "0x1F", "0o17", "0b101", "1_000", "~", "null", "NULL", ".inf", "-.Inf", ".nan", "2026-11-26",
        "2026-11-26T14:42:16Z", "2026-1-2 3:04:05", "1:20", "-3:25:45.5", "a: b", "a:b", "key:", "#hash", "a #b", "a#b",
        " leading space", "trailing space ", "@at", "`tick", "%percent", "&anchor", "*alias", "!tag", "|pipe",
        ">fold", "[flow]", "{map}", ",comma", "?question", "- dash", "-dash", ":colon", "---", "--- x", "...",
        "héllo wörld — ✓ 日本語 🚀", "line\nbreak", "tab\there", "\ttab first", "quote\"d", "it's", "'single'",
        "\"double\"", "back\\slash", "bell\u{07}", "nul\u{00}", "del\u{7F}", "nbsp\u{A0}", "bom\u{FEFF}",
        "ls\u{2028}", "cr\r", "", "plain", "MSG-20261126-144216-067875014-PID29106-0001", "20261126-1015000000-4242-1",
    ]

    /// Both header parsers (the fast byte parser and libyaml through Yams) read back the very string encoded.
    @Test(arguments: tricky)
    func roundTripsThroughBothParsers(value: String) throws {
        let encoded = YAMLScalar.encode(value)
        let document = "key: " + encoded + "\nother: x\n"
        let viaYams = HeaderYAML.parseWithYams(document)
        let viaFast = Array(document.utf8).withUnsafeBufferPointer { HeaderYAML.parse($0[...]) }
        for result in [viaYams, viaFast] {
            guard case .success(.mapping(let pairs)) = result else {
                Issue.record("\(encoded.debugDescription) did not parse as a mapping: \(result)")
                continue
            }
            #expect(pairs.count == 2)
            #expect(pairs.first?.key == "key")
            #expect(pairs.first?.value.text == value, "encoded as \(encoded.debugDescription)")
            if case .scalar(_, let plain) = pairs.first?.value {
                // A plain scalar is only acceptable when YAML would not read it as another type.
                if plain { #expect(!YAMLScalar.resolvesToNonString(value) && !value.isEmpty) }
            }
        }
    }

    @Test func quotesLikeTheGoWriter() {
        #expect(YAMLScalar.encode("yes") == "\"yes\"")
        #expect(YAMLScalar.encode("123") == "\"123\"")
        #expect(YAMLScalar.encode("~") == "\"~\"")
        #expect(YAMLScalar.encode("true") == "\"true\"")
        #expect(YAMLScalar.encode("null") == "\"null\"")
        #expect(YAMLScalar.encode("") == "\"\"")
        #expect(YAMLScalar.encode("a: b") == "'a: b'")
        #expect(YAMLScalar.encode("#hash") == "'#hash'")
        #expect(YAMLScalar.encode(" lead") == "' lead'")
        #expect(YAMLScalar.encode("@at") == "'@at'")
        #expect(YAMLScalar.encode("it's") == "it's")
        #expect(YAMLScalar.encode("plain words") == "plain words")
        #expect(YAMLScalar.encode("line\nbreak") == "\"line\\nbreak\"")
        #expect(YAMLScalar.encode("tab\there") == "\"tab\\there\"")
    }

    /// Header fields with these values survive a whole record round trip.
    @Test func headerFieldsRoundTripInRecords() {
        var messages: [BusMessage] = []
        for (index, value) in Self.tricky.enumerated() where !value.isEmpty {
            messages.append(
                BusMessage(
                    msgID: "MSG-\(index)",
                    timestamp: BusTimestamp(seconds: 1_795_000_000 + Int64(index), nanoseconds: Int32(index * 1000)),
                    type: "FACT",
                    projectID: value,
                    taskID: value,
                    runID: value,
                    issueID: value,
                    parents: [BusParent(msgID: value, kind: value, meta: [value: value])],
                    links: [BusLink(url: value, label: value, kind: value)],
                    meta: [value: value, "k": value],
                    body: value
                )
            )
        }
        var bytes: [UInt8] = []
        for message in messages {
            if !bytes.isEmpty { bytes.append(0x0A) }
            bytes += RecordEncoder.encode(message)
        }
        let result = RecordScanner.scan(bytes)
        #expect(result.malformed.isEmpty)
        #expect(result.messages.count == messages.count)
        for (read, written) in zip(result.messages, messages) {
            var expected = written
            expected.body = withoutOneLineBreak(written.body)
            #expect(read == expected)
        }
    }
}

@Suite struct BusTimestampTests {
    @Test func parsesNineDigits() throws {
        let value = try #require(BusTimestamp(rfc3339: "2026-11-26T14:42:16.067875014Z"))
        #expect(value.seconds == 1_795_704_136)
        #expect(value.nanoseconds == 67_875_014)
        #expect(value.rfc3339 == "2026-11-26T14:42:16.067875014Z")
        #expect(value.humanReadable == "2026-11-26 14:42:16")
    }

    @Test(arguments: [
        ("2026-11-26T14:42:16.067800000Z", "2026-11-26T14:42:16.0678Z"),
        ("2026-11-26T14:42:16.0678Z", "2026-11-26T14:42:16.0678Z"),
        ("2026-11-26T14:42:16.000000000Z", "2026-11-26T14:42:16Z"),
        ("2026-11-26T14:42:16Z", "2026-11-26T14:42:16Z"),
        ("2026-11-26T14:42:16.5Z", "2026-11-26T14:42:16.5Z"),
        ("2026-11-26T16:42:16.1+02:00", "2026-11-26T14:42:16.1Z"),
        ("2026-11-26T09:12:16-05:30", "2026-11-26T14:42:16Z"),
        ("2026-11-27T00:30:00+10:00", "2026-11-26T14:30:00Z"),
        ("2026-11-26 14:42:16", "2026-11-26T14:42:16Z"),
        ("2026-02-05T12:51:53", "2026-02-05T12:51:53Z"),
        ("2026-11-26t14:42:16z", "2026-11-26T14:42:16Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2024-02-29T23:59:59.999999999Z", "2024-02-29T23:59:59.999999999Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5Z"),
        ("2026-11-26T14:42:16.1234567891Z", "2026-11-26T14:42:16.123456789Z"),
    ])
    func normalizes(input: String, output: String) throws {
        let value = try #require(BusTimestamp(rfc3339: input))
        #expect(value.rfc3339 == output)
        #expect(BusTimestamp(rfc3339: value.rfc3339) == value)
    }

    /// Times ending in `Z` take the fixed-position path, the same times ending in `+00:00` the general parser:
    /// both accept the same texts and read the same instants, fractions of every length and broken fields
    /// included.
    @Test func theCanonicalShapeReadsAsTheGeneralParserDoes() {
        var generator = SystemRandomNumberGenerator()
        let fields = [
            "0000", "1969", "2026", "9999", "20x6", "01", "02", "12", "13", "00", "29", "31", "32", "23", "24",
            "59", "60", "61", "9", "1a",
        ]
        for _ in 0..<5000 {
            func field(_ width: Int) -> String {
                let candidates = fields.filter { $0.count == width }
                return Bool.random(using: &generator)
                    ? candidates.randomElement(using: &generator) ?? ""
                    : String((0..<width).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            }
            var text = "\(field(4))-\(field(2))-\(field(2))T\(field(2)):\(field(2)):\(field(2))"
            switch Int.random(in: 0...4, using: &generator) {
            case 0: break
            case 1: text += "."
            case 2: text += ".1x"
            default:
                text +=
                    "."
                    + String(
                        (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                            Character(String(Int.random(in: 0...9, using: &generator)))
                        }
                    )
            }
            #expect(BusTimestamp(rfc3339: text + "Z") == BusTimestamp(rfc3339: text + "+00:00"), "\(text)")
        }
    }

    @Test(arguments: [
        "", "2026-11-26", "2026-11-26T14:42", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T14:42:16.Z",
        "2026-11-26T14:42:16+0200", "2026-11-26T14:42:16Zjunk", "26-11-26T14:42:16Z", "2026/11/26T14:42:16Z",
    ])
    func rejects(input: String) {
        #expect(BusTimestamp(rfc3339: input) == nil)
    }

    @Test func randomInstantsRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = BusTimestamp(
                seconds: Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator),
                nanoseconds: Int32.random(in: 0..<1_000_000_000, using: &generator)
            )
            #expect(BusTimestamp(rfc3339: value.rfc3339) == value)
        }
    }

    @Test func matchesFoundationCalendar() throws {
        let formatter = ISO8601DateFormatter()
        for seconds in stride(from: Int64(-86_400 * 400), to: 86_400 * 365 * 80, by: 86_400 * 37 + 3_601) {
            let ours = BusTimestamp(seconds: seconds, nanoseconds: 0).rfc3339
            #expect(ours == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }
}

@Suite struct BodyCodecTests {
    @Test(arguments: [
        ("a\n---\nb", "a\n\\---\nb"),
        ("---", "\\---"),
        ("---\r\n\\---\r\n", "\\---\r\n\\\\---\r\n"),
        ("\\\\---\n---\n", "\\\\\\---\n\\---\n"),
        ("--- \n----\n", "--- \n----\n"),
    ])
    func escapesDashLines(body: String, stored: String) {
        let bytes = Array(body.utf8)
        #expect(BodyCodec.escape(bytes) == Array(stored.utf8))
        #expect(BodyCodec.unescape(BodyCodec.escape(bytes)[...]) == bytes)
    }

    @Test func needsEscapeOnlyForBareLines() {
        #expect(BodyCodec.needsEscape(Array("a\n---\nb".utf8)))
        #expect(BodyCodec.needsEscape(Array("a\n---\r\nb".utf8)))
        #expect(BodyCodec.needsEscape(Array("---".utf8)))
        #expect(!BodyCodec.needsEscape(Array("\\---\n----\n--- \n ---".utf8)))
        #expect(!BodyCodec.needsEscape([]))
    }

    @Test func trimsOneLineBreak() {
        func trim(_ text: String) -> String { withoutOneLineBreak(text) }
        #expect(trim("x") == "x")
        #expect(trim("x\n") == "x")
        #expect(trim("x\r\n") == "x")
        #expect(trim("x\r") == "x")
        #expect(trim("x\n\n") == "x\n")
        #expect(trim("x\r\n\r\n") == "x\r\n")
        #expect(trim("") == "")
    }
}
