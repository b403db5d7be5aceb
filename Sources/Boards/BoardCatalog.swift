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
            try check(core: core, named: name, file: path)
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

    /// The bill for a model of `modelBytes` with an arena of `arenaBytes` (scratch included) on `core`, judged
    /// against `board` when given: every line item and the fit verdict (`DeploymentBill`). The emit step writes it into
    /// the README and refuses when `fits == false`. Throws when the core is unknown or the board has another core
    /// (cortex-m0 and cortex-m0plus run the same ARMv6-M library).
    public func deploymentBill(modelBytes: Int, arenaBytes: Int, core: String, board: Board? = nil) throws(BoardError) -> DeploymentBill {
        guard let model = cores[core] else {
            throw BoardError("unknown core '\(core)' (known: \(cores.keys.sorted().joined(separator: ", ")))")
        }
        if let board, board.core != core, !(Self.armv6m.contains(board.core) && Self.armv6m.contains(core)) {
            throw BoardError("board '\(board.name)' has a \(board.core), not a \(core)")
        }
        return DeploymentBill(core: core, board: board, modelBytes: modelBytes, arenaBytes: arenaBytes, measured: model.measured)
    }

    /// The bill against `board` on its own core (`quantize --board`, `edge-sim run`).
    public func verdict(_ board: Board, modelBytes: Int, arenaBytes: Int) -> DeploymentBill {
        // The loader guarantees every board's core is in the catalog.
        DeploymentBill(core: board.core, board: board, modelBytes: modelBytes, arenaBytes: arenaBytes, measured: cores[board.core]?.measured)
    }

    /// The stack an inference needs on `board`'s core (what the simulated board enforces), or an error when it is not
    /// measured there.
    public func stackBudget(on board: Board) throws(BoardError) -> Int {
        guard let measured = cores[board.core]?.measured else {
            throw BoardError("board '\(board.name)': the library's stack on \(board.core) is not measured yet (Tools/bench/footprint.sh --write)")
        }
        return measured.stackBytes
    }

    /// The cost model of `board`'s core, nil when the core has none (then no latency is estimated).
    public func costs(on board: Board) -> CoreModel? {
        guard let core = cores[board.core], core.isPriced else { return nil }
        return core
    }

    static let armv6m: Set<String> = ["cortex-m0", "cortex-m0plus"]

    /// The board called `name` (case-insensitive), or an error listing the known ones.
    public func board(named name: String) throws(BoardError) -> Board {
        guard let board = boards.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw BoardError("unknown board '\(name)' (known: \(boards.map(\.name).joined(separator: ", ")))")
        }
        return board
    }

    private static func check(core: CoreModel, named name: String, file path: String) throws(BoardError) {
        switch (core.cyclesPerInstruction, core.instructions, core.source) {
        case (nil, nil, nil): break
        case let (cpi?, instructions?, _?):
            guard cpi > 0, cpi.isFinite else {
                throw BoardError(file: path, "core '\(name)' needs a positive cycles_per_instruction")
            }
            for kind in CoreModel.opKinds {
                guard let cost = instructions[kind] else {
                    throw BoardError(file: path, "core '\(name)' has no instructions for '\(kind)'")
                }
                guard [cost.perWork, cost.perOutput, cost.perOp].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                    throw BoardError(file: path, "core '\(name)': instructions for '\(kind)' must be finite and not negative")
                }
            }
        default:
            throw BoardError(file: path, "core '\(name)': a cost model needs cycles_per_instruction, instructions and source (or none of them)")
        }
        if let library = core.library {
            guard library.codeBytes > 0, library.stackBytes > 0, library.staticSRAMBytes >= 0 else {
                throw BoardError(file: path, "core '\(name)': the library footprint needs positive code and stack bytes")
            }
            guard !library.commit.isEmpty, !library.machine.isEmpty, !library.models.isEmpty else {
                throw BoardError(file: path, "core '\(name)': the library footprint must name its machine, commit and models")
            }
        }
        if let footprint = core.footprint {
            for kernels in KernelPath.allCases {
                let measured = footprint[kernels]
                guard measured.runtimeCodeBytes > 0, measured.stackBytes > 0, measured.staticSRAMBytes >= 0 else {
                    throw BoardError(file: path, "core '\(name)': the \(kernels.rawValue) footprint needs positive runtime code and stack bytes")
                }
            }
        }
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
