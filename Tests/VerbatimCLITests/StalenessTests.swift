import Testing
@testable import VerbatimCorpus
import VerbatimIndex
@testable import VerbatimEngine

/// What `search` and `kwic` say when the index does not describe the stored documents: the
/// comparison of the manifest with the store's document states (made beside the checksums).
@Suite struct StalenessTests {
  private func state(_ id: Int64, _ content: String = "c", _ settings: String = "s") -> StoredDocumentState {
    StoredDocumentState(id: id, path: "Corpus/\(id).txt", source: "Corpus/\(id).txt", contentHash: content, settingsHash: settings)
  }

  /// Two segments whose ids interleave the order of the states, versions as `verbatim index`
  /// records them (``IndexJob/version(of:)``).
  private func manifest(_ states: [StoredDocumentState], ids: [[Int64]]) -> IndexManifest {
    let versions = Dictionary(uniqueKeysWithValues: states.map { (String($0.id), IndexJob.version(of: $0)) })
    return IndexManifest(
      generation: 1,
      segments: ids.enumerated().map { index, ids in
        IndexManifest.Segment(file: "s\(index).seg", documentIDs: ids, tokenCounts: ids.map { _ in 1 })
      },
      documentVersions: versions)
  }

  @Test func sameDocumentsSameVersionsAreCurrent() {
    let states = [state(1), state(2), state(5)]
    #expect(ProjectSearch.staleness(of: manifest(states, ids: [[1, 5], [2]]), comparedWith: StoredDocumentVersions(states)) == nil)
    // No version recorded (an index written without them): the ids alone are compared.
    var bare = manifest(states, ids: [[1, 2, 5]])
    bare.documentVersions = [:]
    #expect(ProjectSearch.staleness(of: bare, comparedWith: StoredDocumentVersions(states)) == nil)
  }

  @Test func missingAndGoneDocumentsAreCounted() {
    let states = [state(1), state(2), state(5)]
    let indexed = manifest(states, ids: [[1], [7, 8]])
    #expect(
      ProjectSearch.staleness(of: indexed, comparedWith: StoredDocumentVersions(states))
        == "2 stored documents not indexed, 2 indexed documents gone")
  }

  @Test func aChangedDocumentIsNamed() {
    let states = [state(1), state(2), state(5)]
    let indexed = manifest(states, ids: [[1, 2, 5]])
    let reimported = [state(1), state(2, "c2"), state(5, "c", "s2")]
    #expect(ProjectSearch.staleness(of: indexed, comparedWith: StoredDocumentVersions(reimported)) == "document 2 changed since it was indexed")
    #expect(
      ProjectSearch.staleness(of: indexed, comparedWith: StoredDocumentVersions([state(1), state(2), state(5, "c", "s2")]))
        == "document 5 changed since it was indexed")
  }
}
