import BusCore

/// libFuzzer entry point: feeds one input to the record scanner in every mode.
///
/// It scans the input whole and split in two and checks what must hold for any bytes (the seeded loop in
/// `Tests/BusCoreTests/ScannerFuzzTests.swift` runs in every `swift test`). Built and run by `scripts/fuzz.sh`.
@_cdecl("LLVMFuzzerTestOneInput")
public func scannerFuzzer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = RecordScanner.scan(bytes)
    // Never a record twice, never past the end.
    precondition(zip(whole.offsets, whole.offsets.dropFirst()).allSatisfy { $0 < $1 }, "a record returned twice")
    precondition(whole.end <= bytes.count, "committed past the end")
    _ = RecordScanner.scan(bytes, from: ScanCursor(), final: true)
    // Live equals at once: split in two, the second scan revising the first's provisional message.
    let split = size / 2
    var continuation = ScanContinuation()
    var shown: [Int: BusMessage] = [:]
    for end in [split, size] {
        for item in continuation.advance(Array(bytes[continuation.cursor.offset..<end])) {
            switch item {
            case .message(let message, let offset), .revised(let message, let offset): shown[offset] = message
            case .malformed: break
            }
        }
    }
    precondition(shown.count == whole.messages.count, "live and whole reads differ")
    for (message, offset) in zip(whole.messages, whole.offsets) {
        precondition(shown[offset] == message, "live and whole reads differ at \(offset)")
    }
    return 0
}

/// libFuzzer's driver, which its own `main` calls (SwiftPM renames an executable's `main`, so this target
/// provides the renamed one and hands over to the driver).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("BusFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        guard let data else { return 0 }
        return scannerFuzzer(data, size)
    }
}
