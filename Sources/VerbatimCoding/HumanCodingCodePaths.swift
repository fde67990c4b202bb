import Foundation
import Yams

/// The code paths of a native codebook file (`verbatim-codebook: 1`, BRIEF.md), read only as
/// far as `verbatim coding import --codebook FILE` needs: the tree of `codes:` and their
/// `name`s. Rules are not parsed here.
public enum HumanCodingCodePaths {
  /// The paths (`Parent/Child`) of every code in a YAML codebook.
  ///
  /// - Throws: ``CodingStoreError/invalid(source:problems:)`` naming the file and the path
  ///   (`codes[0].codes[1]`) of a code without a name, or the YAML error's line.
  public static func read(yaml text: String, file: String) throws(CodingStoreError) -> Set<String> {
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      let line: Int
      switch error {
      case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
        line = mark.line
      default: line = 0
      }
      throw .invalid(source: file, problems: [CodingRowProblem(line: line, field: "", message: "not valid YAML")])
    } catch {
      throw .invalid(source: file, problems: [CodingRowProblem(line: 0, field: "", message: "not valid YAML")])
    }
    guard let root = node?.mapping, let codes = root["codes"]?.sequence else {
      throw .invalid(
        source: file, problems: [CodingRowProblem(line: 1, field: "codes", message: "no `codes:` list; is this a Verbatim codebook?")])
    }
    var paths = Set<String>()
    var problems: [CodingRowProblem] = []
    func visit(_ list: Node.Sequence, prefix: String, location: String) {
      for (index, item) in list.enumerated() {
        let here = "\(location)[\(index)]"
        guard let name = item.mapping?["name"]?.string, !name.isEmpty else {
          problems.append(
            CodingRowProblem(line: (item.mark?.line ?? 0), field: here, message: "a code without a name"))
          continue
        }
        let path = prefix.isEmpty ? name : prefix + Code.pathSeparator + name
        paths.insert(path)
        if let children = item.mapping?["codes"]?.sequence { visit(children, prefix: path, location: here + ".codes") }
      }
    }
    visit(codes, prefix: "", location: "codes")
    guard problems.isEmpty else { throw .invalid(source: file, problems: problems) }
    return paths
  }
}
