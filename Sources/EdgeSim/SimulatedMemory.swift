import Foundation

/// Memory of a simulated board, made with mmap so that the hardware's rules are enforced by the host's MMU:
/// the model sits in a read-only "flash" region, and the arena ends exactly at an inaccessible guard page, so
/// a kernel writing one byte past the planned arena faults instead of silently corrupting memory.
struct SimulatedMemory: ~Copyable {
    let flash: UnsafeRawBufferPointer
    let arena: UnsafeMutableRawBufferPointer
    private let flashMapping: (UnsafeMutableRawPointer, Int)
    private let sramMapping: (UnsafeMutableRawPointer, Int)

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Copies `model` into a fresh read-only mapping and maps `arenaSize` bytes followed by a guard page.
    init(model: UnsafeRawBufferPointer, arenaSize: Int) throws(EdgeSimError) {
        let page = Self.pageSize
        let flashLength = max(page, (model.count + page - 1) / page * page)
        guard let flashBase = Self.map(flashLength) else { throw EdgeSimError("cannot map \(flashLength) bytes for simulated flash") }
        if let source = model.baseAddress { flashBase.copyMemory(from: source, byteCount: model.count) }
        mprotect(flashBase, flashLength, PROT_READ)

        let arenaPages = max(1, (arenaSize + page - 1) / page)
        let sramLength = (arenaPages + 1) * page
        guard let sramBase = Self.map(sramLength) else {
            munmap(flashBase, flashLength)
            throw EdgeSimError("cannot map \(sramLength) bytes for simulated SRAM")
        }
        let guardPage = sramBase + arenaPages * page
        mprotect(guardPage, page, PROT_NONE)
        flash = UnsafeRawBufferPointer(start: flashBase, count: model.count)
        arena = UnsafeMutableRawBufferPointer(start: guardPage - arenaSize, count: arenaSize)
        flashMapping = (flashBase, flashLength)
        sramMapping = (sramBase, sramLength)
    }

    deinit {
        munmap(flashMapping.0, flashMapping.1)
        munmap(sramMapping.0, sramMapping.1)
    }

    /// Fills the arena with `byte`, so that the bytes a run touches can be found afterwards.
    func paint(_ byte: UInt8) {
        arena.initializeMemory(as: UInt8.self, repeating: byte)
    }

    /// One past the highest arena byte that no longer holds the paint `byte`.
    func highWaterMark(paint byte: UInt8) -> Int {
        var top = arena.count
        while top > 0, arena[top - 1] == byte { top -= 1 }
        return top
    }

    private static func map(_ length: Int) -> UnsafeMutableRawPointer? {
        let pointer = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        return pointer == MAP_FAILED ? nil : pointer
    }
}
