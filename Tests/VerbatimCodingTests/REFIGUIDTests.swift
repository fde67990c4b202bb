// GUIDs: SHA-1 and version-5 UUIDs against Python's hashlib and uuid (the values below were
// printed by `python3 -c "import uuid, hashlib; …"`, CPython 3.11; RFC 4122's own example
// `uuid5(NAMESPACE_DNS, "python.org")` is in Python's documentation).
import Foundation
import Testing

@testable import VerbatimCoding

@Suite struct REFIGUIDTests {
  private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

  @Test func sha1MatchesKnownDigests() {
    #expect(hex(REFISHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")  // FIPS 180 example
    #expect(hex(REFISHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    #expect(hex(REFISHA1.digest([UInt8](repeating: 0x61, count: 1000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    let bytes = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } }  // 768 bytes: several blocks
    #expect(hex(REFISHA1.digest(bytes)) == "ac2a264c8ec1f4232a40854e8239bc3a697ab1d2")
  }

  @Test func version5MatchesPython() {
    #expect(
      REFIGUID.version5(namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", name: "python.org")
        == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    // The namespace is itself uuid5(NAMESPACE_URL, "verbatim.refi").
    #expect(
      REFIGUID.version5(namespace: "6ba7b811-9dad-11d1-80b4-00c04fd430c8", name: "verbatim.refi") == REFIGUID.namespace)
    #expect(REFIGUID.derived("code:Démo\nÉquipement") == "d786e149-44d2-5040-be4d-69ad565ed3d6")
    #expect(REFIGUID.derived("") == "f1b8f737-5148-5681-8bcb-200b6f771bc9")
    #expect(REFIGUID.derived("user:Camille") == "b3982391-5411-5ec8-9358-0ae8702b48a7")
    #expect(REFIGUID.derived("a&b<c>\"é\" 😀") == "9f51be30-e398-5126-8d5d-a6a1f14ad258")
  }

  @Test func normalizationLowercasesAndDropsBraces() {
    #expect(
      REFIGUID.normalized("{6F9619FF-8B86-D011-B42D-00C04FC964FF}") == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
    #expect(REFIGUID.normalized(" 6F9619FF-8B86-D011-B42D-00C04FC964FF\n") == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
    for bad in ["", "6F9619FF-8B86-D011-B42D-00C04FC964F", "6F9619FF8B86D011B42D00C04FC964FF",
      "6F9619FG-8B86-D011-B42D-00C04FC964FF", "{6F9619FF-8B86-D011-B42D-00C04FC964FF"]
    {
      #expect(REFIGUID.normalized(bad) == nil, "\(bad)")
    }
  }
}
