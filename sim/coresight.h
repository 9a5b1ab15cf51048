/* The CoreSight identification a debugger finds on the chip's AHB-AP (sim/coresight.c):
 * the MEM-AP BASE pointer, ST's ROM table and the ARM ROM tables below it, and the
 * peripheral/component ID registers (0xFD0-0xFFC) of every debug component they list
 * (SCS, DWT, FPB/BPU, ITM, TPIU, ETM). */
#ifndef SIM_CORESIGHT_H
#define SIM_CORESIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_internal.h"

/* The MEM-AP BASE register: the first ROM table's address with bits 1:0 = 0b11 (present,
 * ADIv5 format). */
uint32_t sim_coresight_ap_base(const sim_board *b);
/* A read of the word at addr (any width within it) when addr is a ROM table word or an ID
 * register of a component the chip has: true with *val. False: not decoded here. */
bool sim_coresight_read(const sim_board *b, uint32_t addr, uint32_t *val, unsigned width);
/* Whether addr lies in a ROM table (read-only: writes are ignored there). */
bool sim_coresight_is_rom(const sim_board *b, uint32_t addr);

#endif
