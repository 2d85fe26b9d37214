import BusTestSupport
import Testing

@testable import BusCore

/// `read --json` and `read`'s text lines write a message's fields straight from the file's bytes
/// (`ScannedRecord.plain`) instead of building the message: the bytes written must be the built message's, for
/// every shape of record, or the fast path must step aside.
@Suite struct PlainRecordTests {
    /// Records with every kind of text a field or body can hold: quotes, backslashes, tabs and other controls,
    /// U+2028, emoji and CJK, CRLF, invalid UTF-8, a header without a time, null spellings, escaped bodies.
    static let zoo: [UInt8] = {
        var bytes: [UInt8] = []
        func go(_ header: String, _ body: [UInt8]) {
            if !bytes.isEmpty { bytes.append(0x0A) }
            bytes += Array("---\n\(header)---\n".utf8) + body + [0x0A]
        }
        let id = "msg_id: MSG-20261126-090000-000000001-PID00042-0001\n"
        go(id + "ts: 2026-11-26T09:00:00.120Z\ntype: FACT\nproject_id: p\n", Array("plain body".utf8))
        go(
            id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\nproject_id: say \"hi\" \\ there\n",
            Array("quote \" and \\ back".utf8)
        )
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\ntask_id: t\tab\n", Array("tab\there\u{7}bell\u{1B}[31m".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\nrun_id: 🎉 日本語\n", Array("sep\u{2028}para\u{2029} 🎉".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\nissue_id: ISSUE-1\n", Array("crlf\r\nbody\r".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\n", Array("bad ".utf8) + [0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80])
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: FACT\n", Array("cut short ".utf8) + [0xE2, 0x82])
        go("msg_id: MSG-20261126-090000-000000001-PID00042-0002\ntype: FACT\n", Array("no ts: from the id".utf8))
        go("msg_id: NOTIME\ntype: FACT\n", Array("no ts: from the record before".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: ~\nproject_id: null\n", Array("null spellings".utf8))
        go("ts: 2026-11-26T09:00:00Z\ntype: FACT\n", Array("no id".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\n", Array("no type".utf8))
        go(id + "ts: 2026-11-26T09:00:00Z\ntype: C1 \u{85} and \u{202E}\n", Array("bidi \u{202E}txet".utf8))
        // Invalid UTF-8 in a header value.
        bytes +=
            [0x0A] + Array("---\n\(id)ts: 2026-11-26T09:00:00Z\ntype: X".utf8) + [0xFE] + Array("\n---\nbody\n".utf8)
        // This tool's records: with escaped dash lines, with meta (not flat), with a `---` line in the body.
        for (body, meta) in [("a\n---\nb", [:]), ("plain", ["agent": "codex"]), ("ends\n", [:]), ("", [:])] {
            bytes.append(0x0A)
            bytes += RecordEncoder.encode(
                BusMessage(
                    msgID: "MSG-20261126-090000-000000001-PID00042-0003",
                    timestamp: BusTimestamp(seconds: 1_795_704_136, nanoseconds: 5),
                    type: "DONE",
                    projectID: "p",
                    taskID: "task-20261126-090000-api",
                    meta: meta,
                    body: body
                )
            )
        }
        bytes += Array("[2026-02-05 12:51:53] FACT: a legacy line\n".utf8)
        return bytes
    }()

    /// A record as written from its bytes (each nil when that writer stepped aside for ill-formed UTF-8) and
    /// from its built message.
    struct Rendering {
        var plain: (json: [UInt8]?, text: [UInt8]?)?
        var built: (json: [UInt8], text: [UInt8])
    }

    /// Each record of a scan of `bytes`, as the JSON and text a reader writes from its bytes (nil when the fast
    /// path steps aside) and from the built message.
    static func renderings(_ bytes: [UInt8]) -> [Rendering] {
        var out: [Rendering] = []
        _ = bytes.withUnsafeBufferPointer { buffer in
            RecordScanner.scan(buffer) { event in
                guard case .record(let record, _) = event else { return }
                let message = record.message
                var json = JSONBuffer()
                MessageJSON.encode(message, into: &json)
                let text =
                    PlainRecordTests.terminal(message.type, keepTabs: false, keepLineBreaks: false)
                    + PlainRecordTests.terminal(message.body)
                let built = (json.bytes, text)
                guard let plain = record.plain else {
                    out.append(Rendering(plain: nil, built: built))
                    return
                }
                // What was in the buffer before stays, whether the record is written or refused.
                var plainJSON = JSONBuffer()
                plainJSON.append(raw: "earlier\n")
                let written = MessageJSON.encode(plain, into: &plainJSON)
                #expect(plainJSON.bytes.starts(with: Array("earlier\n".utf8)))
                if !written { #expect(plainJSON.bytes == Array("earlier\n".utf8)) }
                var plainText: [UInt8]?
                if plain.isValidUTF8 {
                    var text = JSONBuffer()
                    TerminalText.append(utf8: plain.type, keepTabs: false, keepLineBreaks: false, to: &text)
                    TerminalText.append(utf8: plain.body, to: &text)
                    plainText = text.bytes
                }
                #expect(written == plain.isValidUTF8)
                let jsonBytes = written ? Array(plainJSON.bytes.dropFirst("earlier\n".utf8.count)) : nil
                out.append(Rendering(plain: (jsonBytes, plainText), built: built))
            }
        }
        return out
    }

    /// Checks that what was written from bytes is what the built message gives.
    static func check(_ rendering: Rendering, _ comment: Comment) {
        if let json = rendering.plain?.json {
            #expect(
                json == rendering.built.json,
                "\(comment): \(String(decoding: json, as: UTF8.self)) vs \(String(decoding: rendering.built.json, as: UTF8.self))"
            )
        }
        if let text = rendering.plain?.text { #expect(text == rendering.built.text, comment) }
    }

    @Test func everyShapeOfRecordIsWrittenAsItsMessage() {
        let records = Self.renderings(Self.zoo)
        for (index, record) in records.enumerated() { Self.check(record, "record \(index)") }
        // The fast path takes the flat records with an id and a type (13) and writes those of well-formed UTF-8
        // (10) from their bytes; it steps aside for invalid UTF-8 (3), a null type, no id, no type, an escaped
        // body, meta, the legacy line.
        // A header without `ts` takes the time its id carries, else the record before's; both say it was inferred.
        #expect(
            String(decoding: records[7].built.json, as: UTF8.self).hasPrefix(
                #"{"msg_id":"MSG-20261126-090000-000000001-PID00042-0002","timestamp":"2026-11-26T09:00:00.000000001Z","timestamp_inferred":true,"#
            )
        )
        #expect(
            String(decoding: records[8].built.json, as: UTF8.self).hasPrefix(
                #"{"msg_id":"NOTIME","timestamp":"2026-11-26T09:00:00.000000001Z","timestamp_inferred":true,"#
            )
        )
        #expect(records.count == 19)
        #expect(records.filter { $0.plain != nil }.count == 13)
        #expect(records.filter { $0.plain?.json != nil }.count == 10)
        #expect(records.filter { $0.plain?.text != nil }.count == 10)
    }

    @Test(arguments: 0..<20)
    func randomBusesAreWrittenAsTheirMessages(seed: Int) {
        let bus = RandomBus(seed: UInt64(seed), pieces: 60)
        for record in Self.renderings(bus.bytes) { Self.check(record, "seed \(seed)") }
    }

    @Test(arguments: [false, true])
    func bothWritersRecordsTakeTheFastPath(goLayout: Bool) {
        let records = Self.renderings(SuffixReadTests.realisticBus(count: 50, goLayout: goLayout))
        #expect(records.count == 50)
        // This tool escapes the `---` line in these bodies: only Go's records are written from bytes.
        #expect(records.allSatisfy { ($0.plain?.json != nil) == goLayout })
        for record in records { Self.check(record, "layout \(goLayout ? "Go" : "own")") }
    }

    /// `TerminalText.append`, which copies plain text in one go after a word-at-a-time test, writes what the
    /// scalar-by-scalar `escaped` gives, wherever in the text a control sits.
    @Test(arguments: [(true, true), (false, false), (true, false)])
    func terminalTextAppendEqualsEscaped(keepTabs: Bool, keepLineBreaks: Bool) {
        let pieces = [
            "a", "plain words ", "\t", "\n", "\r\n", "\r", "\u{1B}", "\u{7}", "\u{7F}", "\u{85}", "\u{9B}", "\u{A0}",
            "\u{202E}", "\u{2028}", "\u{2066}", "🎉", "日本語", "é", "\u{0}",
        ]
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0..<12, using: &generator)).map { _ in
                pieces.randomElement(using: &generator) ?? ""
            }.joined()
            let appended = Self.terminal(text, keepTabs: keepTabs, keepLineBreaks: keepLineBreaks)
            let expected = TerminalText.escaped(text, keepTabs: keepTabs, keepLineBreaks: keepLineBreaks)
            #expect(appended == Array(expected.utf8), "\(text.debugDescription)")
        }
    }

    /// `TerminalText.append` of a string's UTF-8, as `read` writes a built message's type and body.
    static func terminal(_ text: String, keepTabs: Bool = true, keepLineBreaks: Bool = true) -> [UInt8] {
        var text = text
        var output = JSONBuffer()
        text.withUTF8 { TerminalText.append(utf8: $0, keepTabs: keepTabs, keepLineBreaks: keepLineBreaks, to: &output) }
        return output.bytes
    }

    /// The validator answers as `String(validating:)` does, on every short sequence around the edges of
    /// table 3-7 and on random bytes.
    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var cases: [[UInt8]] = []
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
            0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        for first in interesting {
            cases.append([first])
            for second in interesting {
                cases.append([first, second])
                for third in interesting {
                    cases.append([first, second, third])
                    cases.append([first, second, third, 0x80])
                    cases.append([first, second, third, 0xBF, 0x41])
                }
            }
        }
        var generator = SeededGenerator(seed: 8)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<40, using: &generator)
            cases.append((0..<count).map { _ in interesting.randomElement(using: &generator) ?? 0 })
            cases.append(Array("plain ascii text of some length 🎉 日本語".utf8) + cases[cases.count - 1])
        }
        for bytes in cases {
            let valid = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
