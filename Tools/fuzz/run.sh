#!/usr/bin/env bash
# Builds the libFuzzer targets (AddressSanitizer on) and runs each for SECONDS (default 60) from a corpus seeded
# with valid files: model.bin reader + float engine, .q8 loader + one inference (Int8Runtime as shipped, with its
# CInt8DSP C paths), PNG decoder + preprocessing, TFLite FlatBuffer reader, ONNX protobuf reader.
# Usage: Tools/fuzz/run.sh [SECONDS] [TARGET...]     targets: modelbin q8 png tflite onnx (default: all)
# Crashes are written to Tools/fuzz/out/<target>/ and make the script fail; turn each into a regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(modelbin q8 png tflite onnx)

out="Tools/fuzz/out"
build="$out/build"
mkdir -p "$build"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -use-ld=lld)

# Compiles one library module (instrumented) into $build/lib<name>.a with its .swiftmodule beside it.
library() {
    local name="$1"; shift
    # -emit-library -static adds to an existing archive; start clean so removed files leave no stale members.
    rm -f "$build/lib$name.a"
    swiftc "${flags[@]}" -I "$build" -module-name "$name" -emit-module -emit-module-path "$build/$name.swiftmodule" \
        -emit-library -static -o "$build/lib$name.a" "$@"
}

# ModelImport with the package's SwiftProtobuf (from the checkout `swift package resolve` makes), both instrumented.
model_import() {
    [ -z "${model_import_built:-}" ] || return 0
    model_import_built=1
    swift package resolve >/dev/null
    library SwiftProtobuf -package-name swift_protobuf -enable-upcoming-feature ExistentialAny \
        $(find .build/checkouts/swift-protobuf/Sources/SwiftProtobuf -name '*.swift' | sort)
    library ModelImport Sources/ModelImport/*.swift
}

build_target() {
    case "$1" in
    modelbin)
        library ModelFormat Sources/ModelFormat/*.swift
        library FloatEngine Sources/FloatEngine/*.swift
        swiftc "${flags[@]}" -I "$build" -L "$build" -lFloatEngine -lModelFormat \
            Tools/fuzz/targets/ModelBinFuzz.swift -o "$build/modelbin" ;;
    q8)
        # As shipped: with the CInt8DSP header, so `canImport(CInt8DSP)` holds and the kernels take their C paths
        # (the portable dot products). -Xcc -fsanitize=address: without it the imported inline C
        # functions are compiled without ASan (checked in the emitted IR: no sanitize_address attribute).
        local dsp=(-I Sources/CInt8DSP/include -Xcc -fsanitize=address)
        library Int8Runtime "${dsp[@]}" $(find Sources/Int8Runtime -name '*.swift' | sort)
        swiftc "${flags[@]}" "${dsp[@]}" -I "$build" -L "$build" -lInt8Runtime Tools/fuzz/targets/Q8Fuzz.swift -o "$build/q8" ;;
    png)
        # The C shim, instrumented too, as the CPNG module the DigitImage sources import.
        mkdir -p "$build/cpng"
        for c in Sources/CPNG/*.c; do
            clang -fsanitize=fuzzer-no-link,address -O1 -g -ISources/CPNG/include -c "$c" -o "$build/cpng/$(basename "$c" .c).o"
        done
        printf 'module CPNG {\n    header "%s/Sources/CPNG/include/cpng.h"\n    export *\n}\n' "$PWD" > "$build/cpng/module.modulemap"
        library DigitImage -I "$build/cpng" Sources/DigitImage/*.swift
        swiftc "${flags[@]}" -I "$build" -I "$build/cpng" -L "$build" -lDigitImage Tools/fuzz/targets/PNGFuzz.swift \
            "$build"/cpng/*.o -lpng -lz -o "$build/png" ;;
    tflite)
        model_import
        swiftc "${flags[@]}" -I "$build" -L "$build" -lModelImport -lSwiftProtobuf Tools/fuzz/targets/TFLiteFuzz.swift -o "$build/tflite" ;;
    onnx)
        model_import
        swiftc "${flags[@]}" -I "$build" -L "$build" -lModelImport -lSwiftProtobuf Tools/fuzz/targets/ONNXFuzz.swift -o "$build/onnx" ;;
    esac
}

seed_corpus() {
    local dir="$out/$1/corpus"
    mkdir -p "$dir"
    case "$1" in
    modelbin) cp Models/*.bin "$dir/" ;;
    q8)
        swift build --product quantize >/dev/null
        for m in vgg resnet; do "$(swift build --show-bin-path)/quantize" "Models/$m-mnist.bin" -o "$dir/$m.q8" >/dev/null; done
        # 1.5 KB with every opcode (Tests/Fixtures/hostile): mutations of it run ~100x faster than of the shipped models.
        cp Tests/Fixtures/hostile/base/base.q8 "$dir/hostile-base.q8" ;;
    png) cp Samples/digits/*.png "$dir/" ;;
    tflite) cp Tests/Fixtures/tflite/*.tflite "$dir/" ;;
    onnx) cp Tests/Fixtures/onnx/*.onnx "$dir/" ;;
    esac
}

status=0
for target in "${targets[@]}"; do
    echo "== $target: build"
    build_target "$target"
    seed_corpus "$target"
    mkdir -p "$out/$target/crashes"
    echo "== $target: fuzz for ${seconds} s"
    # -rss_limit_mb bounds memory per input; -timeout flags any input that runs over 10 s as a hang.
    # The Swift backtracer off: libFuzzer reports the crash and keeps the input; the backtracer was seen to hang.
    if ! SWIFT_BACKTRACE=enable=no "$build/$target" "$out/$target/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/$target/crashes/" -print_final_stats=1 > "$out/$target/log.txt" 2>&1; then
        echo "$target: FAILED, see $out/$target/log.txt and $out/$target/crashes/"
        tail -n 30 "$out/$target/log.txt"
        status=1
    fi
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target/log.txt" | grep -o '[0-9]*$' || echo '?')"
    echo "$target: $execs executions in ${seconds} s, corpus $(ls "$out/$target/corpus" | wc -l) files"
done
exit $status
