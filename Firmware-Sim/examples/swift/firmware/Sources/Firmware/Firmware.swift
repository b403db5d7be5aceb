// The Swift example firmware's main: the emitted package form's Int8Runtime and EdgeQuantModel, imported as
// SwiftPM modules. It validates the model in flash, classifies every sample (samples.c), and prints per sample
// `sample <i> output <b0> ... digit <d> instructions <n>`, then
// `done samples <N> instructions_per_inference <X> stack_used <S>` (the lines the C examples print).
// Exit status: 0 ran, 3 the loader refused the model, 4 inference failed, 5 the arena is smaller than the plan.
import Board
import EdgeQuantModel
import Int8Runtime

func write(_ text: StaticString) {
    board_write(UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self))
}

func write(_ value: Int) { board_write_int(Int64(value)) }

@_cdecl("firmware_main")
public func firmwareMain() -> Int32 {
    let modelBytes = UnsafeRawBufferPointer(start: edgequant_model_bytes(), count: Int(EDGEQUANT_MODEL_SIZE))
    let model: Q8Model
    do {
        model = try Q8Model(validating: modelBytes)
    } catch {
        write("REFUSED q8error "); write(Int(error.code)); write(" "); write(error.name); write("\n")
        return 3
    }
    let arena = UnsafeMutableRawBufferPointer(start: board_arena(), count: Int(board_arena_size()))
    guard model.arenaSize <= arena.count else {
        write("ERROR arena "); write(arena.count); write(" bytes, the model plans "); write(model.arenaSize); write("\n")
        return 5
    }
    let input = Int8Interpreter.inputBuffer(model, arena: arena)
    let output = Int8Interpreter.outputBuffer(model, arena: arena)
    let count = Int(board_sample_count())
    var total: UInt64 = 0
    for sample in 0..<count {
        let from = board_samples()! + sample * input.count
        for i in 0..<input.count { input[i] = from[i] }
        let start = board_ticks()
        do {
            try Int8Interpreter.invoke(model, arena: arena)
        } catch {
            write("ERROR inference failed: "); write(error.name); write("\n")
            return 4
        }
        let spent = board_instructions(board_ticks() &- start)
        total &+= spent
        var best = 0
        write("sample "); write(sample); write(" output")
        for i in 0..<output.count {
            write(" "); write(Int(output[i]))
            if output[i] > output[best] { best = i }
        }
        write(" digit "); write(best); write(" instructions "); write(Int(spent)); write("\n")
    }
    write("done samples "); write(count); write(" instructions_per_inference ")
    write(count > 0 ? Int(total / UInt64(count)) : 0)
    write(" stack_used "); write(Int(board_stack_used())); write("\n")
    return 0
}
