#!/bin/sh
# Smoke check of an emitted folder made with --test-vectors: main.c + startup.c + link.ld linked with libedgequant.a by
# Debian's arm-none-eabi-gcc (no libc: main.c defines memcpy/memset), run on QEMU netduinoplus2 (STM32F405,
# Cortex-M4F; code for cortex-m0/m3 runs there too). Prints one line per vector and
# "done mismatches N ticks_per_inference T stack_used S" (T: SysTick ticks at the core clock under -icount shift=0,
# comparable between builds, not an instruction count). Exit 0 when every vector matched.
# The real example firmwares are Firmware-Sim/examples; this only proves the library links and runs unchanged.
#   Tests/DeployTests/Smoke/run.sh DIR [OUT.elf]
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
elf=${2:-$(mktemp -d)/smoke.elf}
flags=$(sed -n 's/^EDGEQUANT_CPU_FLAGS := //p' "$dir/edgequant.mk")
# shellcheck disable=SC2086
arm-none-eabi-gcc $flags -Os -ffunction-sections -fdata-sections -nostdlib -nostartfiles -T "$here/link.ld" \
    -I "$dir/include" -I "$dir/test" "$here/main.c" "$here/startup.c" "$dir/model/edgequant_model.c" \
    "$dir/test/edgequant_test_vectors.c" "$dir/lib/libedgequant.a" -lgcc -Wl,--gc-sections -Wl,--no-warn-execstack -o "$elf"
arm-none-eabi-size "$elf" >&2
exec timeout 300 qemu-system-arm -M netduinoplus2 -nographic -monitor none -serial none -no-reboot \
    -semihosting-config enable=on,target=native -icount shift=0 -kernel "$elf"
