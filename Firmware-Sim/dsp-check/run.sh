#!/usr/bin/env bash
# Firmware-Sim/dsp-check/run.sh: builds check.c (the inline-assembly kernels of Sources/CInt8DSP/include/cint8dsp.h
# against plain C definitions, on random inputs) for QEMU Cortex-M4 and Cortex-M7 boards and runs it.
# The host tests only exercise the header's portable C; this runs the DSP instructions themselves.
# Exit status 0 when both boards print "ok".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../check-setup.sh"
write_link_script 0x0 0x400000 0x20000000 0x400000
status=0
for board in mps2-an386:cortex-m4:fpv4-sp-d16 mps2-an500:cortex-m7:fpv5-d16; do
    IFS=: read -r name cpu fpu <<< "$board"
    flags=(--target=thumbv7em-none-eabihf -mcpu="$cpu" -mthumb -mfloat-abi=hard -mfpu="$fpu" -ffreestanding
           -fno-builtin -fno-pic -ffunction-sections -fdata-sections -fshort-enums -DARENA_SIZE=16
           -I "$src" -I "$root/Sources/CInt8DSP/include")
    "$bin/clang" "${flags[@]}" -Os -c "$src/startup.c" -o "$out/startup.o"
    "$bin/clang" "${flags[@]}" -O2 -c "$here/check.c" -o "$out/check.o"
    "$bin/ld.lld" -T "$out/link.ld" --gc-sections -o "$out/check-$name.elf" "$out/startup.o" "$out/check.o"
    result="$(cd "$out" && qemu-system-arm -M "$name" -nographic -monitor none -serial none \
        -semihosting-config enable=on,target=native -icount shift=0 -kernel "check-$name.elf" 2>&1)" || status=1
    echo "$name ($cpu): $result"
done
exit $status
