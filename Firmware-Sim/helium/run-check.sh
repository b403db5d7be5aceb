#!/usr/bin/env bash
# Firmware-Sim/helium/run-check.sh: builds check.c (the Helium kernels of helium.c against plain C written as
# Int8Runtime's reference kernels, on seeded random shapes and values) for QEMU mps3-an547 (Cortex-M55, MVE) and
# runs it. The MVE instructions themselves run here, which no host test can do. Exit status 0 when it prints "ok".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../check-setup.sh"
# AN547: code in the ITCM at 0 (512 KB), data in the SSE-300's 4 MB SRAM at 0x21000000 (QEMU's mps2-tz.c).
write_link_script 0x0 0x80000 0x21000000 0x400000
flags=(--target=thumbv8.1m.main-none-eabihf -mcpu=cortex-m55 -mthumb -mfloat-abi=hard -ffreestanding -fno-builtin
       -fno-pic -ffunction-sections -fdata-sections -fshort-enums -DARENA_SIZE=16 -I "$src" -I "$here/include" -I "$here")
"$bin/clang" "${flags[@]}" -Os -c "$src/startup.c" -o "$out/startup.o"
"$bin/clang" "${flags[@]}" -O2 -c "$here/check.c" -o "$out/check.o"
"$bin/ld.lld" -T "$out/link.ld" --gc-sections -o "$out/check.elf" "$out/startup.o" "$out/check.o"
status=0
result="$(cd "$out" && timeout 300 qemu-system-arm -M mps3-an547 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -icount shift=0 -kernel check.elf 2>&1)" || status=1
echo "mps3-an547 (cortex-m55, Helium): $result"
exit $status
