# The `stprog run` examples (examples/run/README.md), included by examples/CMakeLists.txt:
# <name>_<board>.elf from examples/run/<name>.c with the RTT and semihosting helpers, the
# blinky's startup code, board header and linker scripts.
set(run_src ${CMAKE_CURRENT_SOURCE_DIR}/run)
set(run_libs ${run_src}/rtt.c ${run_src}/semihost.c ${run_src}/text.c)

# stp_run_example(NAME SOURCE BOARD CPU LINKER_SCRIPT [extra -D flags...])
function(stp_run_example name source board cpu ld)
  set(out ${STP_EXAMPLES_DIR}/${name})
  set(defs)
  foreach(d ${ARGN})
    list(APPEND defs -D${d})
  endforeach()
  add_custom_command(
    OUTPUT ${out}.elf
    COMMAND ${CMAKE_COMMAND} -E make_directory ${STP_EXAMPLES_DIR}
    COMMAND ${STP_ARM_GCC} -mcpu=${cpu} ${blinky_common_flags} -D${board} ${defs}
            -I${blinky_src} -I${run_src} -L${blinky_src} -T${blinky_src}/${ld}
            -Wl,-Map=${out}.map -o ${out}.elf ${blinky_src}/startup.c ${run_src}/${source}
            ${run_libs} -lgcc
    DEPENDS ${blinky_src}/startup.c ${run_src}/${source} ${run_libs} ${run_src}/rtt.h
            ${run_src}/semihost.h ${run_src}/text.h ${blinky_src}/board.h ${blinky_src}/common.ld
            ${blinky_src}/${ld}
    COMMENT "Cross-compiling example ${name}.elf (${cpu})" VERBATIM)
  add_custom_command(OUTPUT ${out}.bin COMMAND ${STP_ARM_OBJCOPY} -O binary ${out}.elf ${out}.bin
                     DEPENDS ${out}.elf VERBATIM)
  set_property(GLOBAL APPEND PROPERTY STP_EXAMPLE_OUTPUTS ${out}.elf ${out}.bin)
endfunction()

# One per core type and family: M0+ (G071), M3 (F103, L151), M4 (F407, L476, G431), M7 (F767).
foreach(b g071:cortex-m0plus f103:cortex-m3 l151:cortex-m3 f407:cortex-m4 l476:cortex-m4
          g431:cortex-m4 f767:cortex-m7)
  string(REPLACE ":" ";" pair ${b})
  list(GET pair 0 board)
  list(GET pair 1 cpu)
  string(TOUPPER ${board} BOARD)
  stp_run_example(hello_${board} hello.c BOARD_${BOARD} ${cpu} stm32${board}.ld)
  stp_run_example(fault_${board} fault.c BOARD_${BOARD} ${cpu} stm32${board}.ld)
endforeach()
stp_run_example(hello3_f407 hello.c BOARD_F407 cortex-m4 stm32f407.ld EXIT_STATUS=3)
stp_run_example(echo_f407 echo.c BOARD_F407 cortex-m4 stm32f407.ld)
stp_run_example(echo_sh_f407 echo.c BOARD_F407 cortex-m4 stm32f407.ld ECHO_SEMIHOSTING)
stp_run_example(flood_f407 flood.c BOARD_F407 cortex-m4 stm32f407.ld)
stp_run_example(flood_g071 flood.c BOARD_G071 cortex-m0plus stm32g071.ld)
stp_run_example(flood16k_f407 flood.c BOARD_F407 cortex-m4 stm32f407.ld FLOOD_LINES=256u)
stp_run_example(ticker_f407 ticker.c BOARD_F407 cortex-m4 stm32f407.ld)
stp_run_example(ticker_g071 ticker.c BOARD_G071 cortex-m0plus stm32g071.ld)
# Benchmarks (bench/rtt.sh): throughput and latency measured by the firmware on its clock.
stp_run_example(floodbench_f407 flood.c BOARD_F407 cortex-m4 stm32f407.ld FLOOD_BENCH)
stp_run_example(floodbench16k_f407 flood.c BOARD_F407 cortex-m4 stm32f407.ld FLOOD_BENCH
                FLOOD_LINES=256u)
stp_run_example(latency_f407 latency.c BOARD_F407 cortex-m4 stm32f407.ld)
# SWO: lines through ITM stimulus port 0 (for `stprog swo`, `run --swo`, st-trace)
stp_run_example(itm_f407 itm.c BOARD_F407 cortex-m4 stm32f407.ld)
stp_run_example(itm_f103 itm.c BOARD_F103 cortex-m3 stm32f103.ld)
stp_run_example(itm_f767 itm.c BOARD_F767 cortex-m7 stm32f767.ld)
# newlib's semihosting flavour (--specs=rdimon.specs): printf, stdin, exit(5)
set(rdimon_src ${run_src}/rdimon)
add_custom_command(
  OUTPUT ${STP_EXAMPLES_DIR}/rdimon_f407.elf
  COMMAND ${CMAKE_COMMAND} -E make_directory ${STP_EXAMPLES_DIR}
  COMMAND ${STP_ARM_GCC} -mcpu=cortex-m4 -mthumb -O1 -std=c11 -Wall -Wextra -Werror
          --specs=rdimon.specs -Wl,--no-warn-rwx-segments -T${rdimon_src}/rdimon_f407.ld
          -o ${STP_EXAMPLES_DIR}/rdimon_f407.elf ${rdimon_src}/start.c ${rdimon_src}/main.c
  DEPENDS ${rdimon_src}/start.c ${rdimon_src}/main.c ${rdimon_src}/rdimon_f407.ld
  COMMENT "Cross-compiling example rdimon_f407.elf (newlib semihosting)" VERBATIM)
set_property(GLOBAL APPEND PROPERTY STP_EXAMPLE_OUTPUTS ${STP_EXAMPLES_DIR}/rdimon_f407.elf)
