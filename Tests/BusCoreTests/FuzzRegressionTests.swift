import Foundation
import Testing

@testable import BusCore

/// Inputs the libFuzzer run (`scripts/fuzz.sh`) found, kept so each stays fixed: read live in two appends, a
/// file gives the same messages at the same offsets as read at once.
@Suite struct FuzzRegressionTests {
    /// Found 2026-12-06: two records with damaged header lines (`msg_i\u{99}:`, `t\u{1}\u{0}e:`) and a torn tail.
    static let damagedHeadersTornTail =
        "LS0tCm1zZ19pZDogTVNHLTIwMjYxMTI24jE0NDIxNi0wNjc4NzUwMTQtUElEMjkxMDYtMDAwsQp0czopMjAyNi0xMS0yNlQxNDo0MjpEZWZhdWx0"
        + "STZUMTQ6NG9qZWN0X2lkOiABAC0KCi0tLQptc2dfaZk6IE1TRy0yMDI2MTEyNi0xNDQyMTYtMDY4MjYyMTQ1LVBJRDI5MTA2Wgp0AQBlOiBJ"
        + "U1NVRQpwcm9qZWN0X2lkOiBkZW1vCnRhc2tfaWQ6IHRhc2staVNlcXVlMmNlX2lkOiAiIjYxMTI2LTE0NDIt"

    @Test(arguments: [damagedHeadersTornTail])
    func liveInTwoAppendsEqualsWhole(base64: String) throws {
        let bytes = try #require(Data(base64Encoded: base64)).map { $0 }
        let whole = RecordScanner.scan(bytes)
        var continuation = ScanContinuation()
        var shown: [Int: BusMessage] = [:]
        for end in [bytes.count / 2, bytes.count] {
            for item in continuation.advance(Array(bytes[continuation.cursor.offset..<end])) {
                switch item {
                case .message(let message, let offset), .revised(let message, let offset): shown[offset] = message
                case .malformed: break
                }
            }
        }
        #expect(shown.count == whole.messages.count)
        for (message, offset) in zip(whole.messages, whole.offsets) {
            #expect(shown[offset] == message, "at \(offset)")
        }
    }
}
