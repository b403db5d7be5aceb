import Foundation

/// The boards the tools know, read from a JSON file (the shipped one unless the user names another).
public struct BoardCatalog: Codable, Equatable, Sendable {
    public var cores: [String: CoreModel]
    public var boards: [Board]

    /// The board `edge-sim run` and `edge-sim demo` simulate when none is named.
    public static let defaultBoard = "nrf52840"

    /// The catalog shipped with EdgeQuant (Sources/Boards/Resources/boards.json).
    public static func shipped() throws(BoardError) -> BoardCatalog {
        guard let url = Bundle.module.url(forResource: "boards", withExtension: "json") else {
            throw BoardError("the shipped board catalog boards.json is missing from the build")
        }
        return try load(path: url.path)
    }

    /// Reads and checks a catalog file.
    public static func load(path: String) throws(BoardError) -> BoardCatalog {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BoardError(file: path, "cannot be read")
        }
        let catalog: BoardCatalog
        do {
            catalog = try JSONDecoder().decode(BoardCatalog.self, from: data)
        } catch {
            throw BoardError(file: path, "not a board catalog (\(Self.reason(error)))")
        }
        for (name, core) in catalog.cores {
            guard core.cyclesPerInstruction > 0, core.cyclesPerInstruction.isFinite else {
                throw BoardError(file: path, "core '\(name)' needs a positive cycles_per_instruction")
            }
            for kind in CoreModel.opKinds {
                guard let cost = core.instructions[kind] else {
                    throw BoardError(file: path, "core '\(name)' has no instructions for '\(kind)'")
                }
                guard [cost.perWork, cost.perOutput, cost.perOp].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                    throw BoardError(file: path, "core '\(name)': instructions for '\(kind)' must be finite and not negative")
                }
            }
            for kernels in KernelPath.allCases {
                let measured = core.footprint[kernels]
                guard measured.runtimeCodeBytes > 0, measured.stackBytes > 0, measured.staticSRAMBytes >= 0 else {
                    throw BoardError(file: path, "core '\(name)': the \(kernels.rawValue) footprint needs positive runtime code and stack bytes")
                }
            }
        }
        for board in catalog.boards {
            guard catalog.cores[board.core] != nil else {
                throw BoardError(file: path, "board '\(board.name)' names unknown core '\(board.core)'")
            }
            guard board.sramBytes > 0, board.flashBytes > 0, board.clockMHz > 0 else {
                throw BoardError(file: path, "board '\(board.name)' needs positive SRAM, flash and clock")
            }
        }
        return catalog
    }

    /// Whether a model of `modelBytes` with an arena of `arenaBytes` fits `board`, with the runtime's measured
    /// footprint on the board's core and kernel path.
    public func verdict(_ board: Board, modelBytes: Int, arenaBytes: Int, kernels: KernelPath = .fast) -> BudgetVerdict {
        BudgetVerdict(board: board, modelBytes: modelBytes, arenaBytes: arenaBytes, runtime: runtime(on: board, kernels: kernels), kernels: kernels)
    }

    /// The runtime's measured footprint on `board`'s core.
    public func runtime(on board: Board, kernels: KernelPath = .fast) -> RuntimeFootprint {
        // The loader guarantees every board's core is in the catalog.
        cores[board.core]?.footprint[kernels] ?? RuntimeFootprint(runtimeCodeBytes: 0, staticSRAMBytes: 0, stackBytes: 0)
    }

    /// The board called `name` (case-insensitive), or an error listing the known ones.
    public func board(named name: String) throws(BoardError) -> Board {
        guard let board = boards.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw BoardError("unknown board '\(name)' (known: \(boards.map(\.name).joined(separator: ", ")))")
        }
        return board
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing key '\(key.stringValue)'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: "not valid JSON"
        default: "unreadable"
        }
    }
}
