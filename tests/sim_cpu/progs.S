/* Thumb test programs for tests/sim_cpu, assembled at build time into progs.bin and
 * loaded at 0x08000000 (aliased at 0). The table at 0x200 lists the entry points in the
 * order of enum prog in test_sim_cpu.c. */
    .syntax unified
    .cpu cortex-m3
    .thumb

    .section .text
    .org 0
vectors:
    .word 0x20008000        /* initial MSP */
    .word reset + 1
    .word nmi + 1
    .word hardfault + 1
    .word 0, 0              /* MemManage, BusFault */
    .word usagefault + 1    /* 6 */
    .word 0, 0, 0, 0
    .word svc_handler + 1   /* 11 */
    .word 0, 0, 0
    .word systick_handler + 1 /* 15 */

    .org 0x200
table:
    .word count_loop + 1    /* 0 */
    .word bkpt_prog + 1     /* 1 */
    .word flash_store + 1   /* 2 */
    .word mmio_prog + 1     /* 3 */
    .word wfi_prog + 1      /* 4 */
    .word watch_prog + 1    /* 5 */
    .word step_prog + 1     /* 6 */
    .word udf_prog + 1      /* 7 */
    .word reset_prog + 1    /* 8 */
    .word svc_prog + 1      /* 9 */
    .word countdown + 1     /* 10 */
    .word flash_loader + 1  /* 11 */
    .word systick_prog + 1  /* 12 */
    .word busfault_prog + 1 /* 13 */
    .word hardfault + 1     /* 14 */
    .word vectreset_prog + 1 /* 15 */
    .word ring_loader + 1   /* 16 */
    .word debugen_prog + 1  /* 17 */
    .word fp_svc_prog + 1   /* 18 */
    .word hint_prog + 1     /* 19 */
    .word bitband_prog + 1  /* 20 */
    .word usagefault + 1    /* 21 */
    .word unpriv_prog + 1   /* 22 */
    .word store_once_prog + 1 /* 23 */

    .org 0x300
    .thumb_func
reset:
    movs r0, #0
1:  adds r0, #1
    b 1b

    .thumb_func
nmi:
    b nmi

    .thumb_func
hardfault:
    movs r7, #0xEE
    b hardfault

    .thumb_func
usagefault:
    movs r7, #0x66
    b usagefault

    .thumb_func
svc_handler:
    adds r5, #1
    mov r8, lr              /* EXC_RETURN, for the test */
    bx lr

    .thumb_func
systick_handler:
    adds r6, #1
    bx lr

    .thumb_func
count_loop:                 /* r0 counts iterations of a 2-instruction loop */
    movs r0, #0
1:  adds r0, #1
    b 1b

    .thumb_func
bkpt_prog:
    movs r0, #42
    bkpt #1
    movs r0, #43
    b .

    .thumb_func
flash_store:                /* a word store to read-only flash, then read it back */
    ldr r0, =0x08008000
    ldr r1, =0x11223344
    str r1, [r0]
    b 1f                    /* ends the translation block: the read-back sees the board */
1:  ldr r2, [r0]
    bkpt #2

    .thumb_func
mmio_prog:
    ldr r0, =0x40000000
    ldr r1, [r0, #4]
    adds r1, #1
    str r1, [r0, #8]
    strb r1, [r0, #12]
    bkpt #3

    .thumb_func
wfi_prog:
    movs r0, #1
    wfi
    movs r0, #2
    bkpt #4

    .thumb_func
watch_prog:
    ldr r0, =0x20001000
    movs r1, #5
    nop
    str r1, [r0]            /* watched */
    movs r2, #7
    movs r3, #8
    bkpt #5

    .thumb_func
step_prog:
    movs r0, #1
    movs r0, #2
    b 1f
    movs r0, #99
1:  movs r0, #3
    movs r0, #4
    b .

    .thumb_func
udf_prog:
    movs r7, #0
    udf #0
    b .

    .thumb_func
reset_prog:                 /* NVIC_SystemReset() */
    ldr r0, =0xE000ED0C
    ldr r1, =0x05FA0004
    str r1, [r0]
    b .

    .thumb_func
svc_prog:
    movs r5, #0
    svc #0
    svc #0
    bkpt #9

    .thumb_func
countdown:                  /* r1 iterations of subs/bne, then BKPT */
    subs r1, #1
    bne countdown
    bkpt #10

    .thumb_func
flash_loader:               /* like a RAM loader: r0 src, r1 dst, r2 half-words, r3 = FLASH base */
1:  ldrh r4, [r0], #2
    strh r4, [r1], #2
2:  ldr r5, [r3, #0x0C]     /* SR */
    tst r5, #0x10000        /* BSY */
    bne 2b
    subs r2, #1
    bne 1b
    bkpt #11

    .thumb_func
systick_prog:               /* SysTick every 100 core cycles, counts in r6 */
    movs r6, #0
    ldr r0, =0xE000E010
    movs r1, #99
    str r1, [r0, #4]        /* RVR */
    movs r1, #0
    str r1, [r0, #8]        /* CVR */
    movs r1, #7
    str r1, [r0]            /* CSR: ENABLE | TICKINT | CLKSOURCE */
1:  cmp r6, #5
    bne 1b
    bkpt #12

    .thumb_func
busfault_prog:
    ldr r0, =0x50000000
    ldr r1, [r0]
    b .

    .thumb_func
vectreset_prog:
    ldr r0, =0xE000ED0C
    ldr r1, =0x05FA0001
    str r1, [r0]
    b .

    .thumb_func
ring_loader:                /* async loader: r0 ring (wp at +0, rp at +4, data from +8 to r1),
                               r2 flash destination, r3 half-words, r4 flash controller */
1:  ldr r5, [r0, #0]        /* wp, written by the debugger while the core runs */
    ldr r6, [r0, #4]        /* rp */
    cmp r5, r6
    beq 1b
    ldrh r7, [r6], #2
    strh r7, [r2], #2
2:  ldr r5, [r4, #0x0C]
    tst r5, #0x10000
    bne 2b
    cmp r6, r1
    bne 3f
    add r6, r0, #8
3:  str r6, [r0, #4]
    subs r3, #1
    bne 1b
    bkpt #16

    .thumb_func
debugen_prog:               /* software tries to clear C_DEBUGEN and to halt itself */
    ldr r0, =0xE000EDF0
    ldr r1, =0xA05F0000
    str r1, [r0]
    movs r2, #1
    ldr r1, =0xA05F0003
    str r1, [r0]
    movs r2, #2
    b .

    .thumb_func
bitband_prog:
    ldr r0, =0x22000000 + 0x1000 * 32 + 3 * 4   /* SRAM 0x20001000 bit 3 */
    movs r1, #1
    str r1, [r0]
    ldr r2, [r0]
    ldr r0, =0x42000000 + 0x20 * 32 + 5 * 4     /* peripheral 0x40000020 bit 5 */
    str r1, [r0]
    ldr r3, [r0]
    movs r1, #0
    ldr r0, =0x42000000 + 0x20 * 32 + 0 * 4     /* clear bit 0 */
    str r1, [r0]
    bkpt #20

    .thumb_func
unpriv_prog:                /* to unprivileged thread mode on the PSP, then an SVC */
    ldr r0, =0x20006000
    msr psp, r0
    movs r0, #3             /* nPRIV | SPSEL */
    msr control, r0
    isb
    movs r5, #0
    svc #0
    bkpt #22

    .thumb_func
store_once_prog:            /* 50 rounds of stores to RAM, registers and flash, mixed in one
                               block: each must reach memory exactly once */
    ldr r0, =0x40000000     /* register file */
    ldr r1, =0x20000400     /* two RAM counters */
    ldr r6, =0x08008000     /* flash, half-words (PG set by the test) */
    movs r2, #0
1:  ldr r3, [r1]
    adds r3, #1
    str r3, [r1]            /* RAM before the register store */
    str r2, [r0, #16]       /* register */
    ldr r4, [r1, #4]
    adds r4, #1
    str r4, [r1, #4]        /* RAM after it */
    str r2, [r0, #20]       /* another register */
    ldr r5, [r0, #16]
    strb r5, [r0, #24]      /* a byte store of a register read back */
    strh r2, [r6], #2       /* flash (bus, through the write-protect hook), post-index */
    str r3, [r0, #28]
    adds r2, #1
    cmp r2, #50
    bne 1b
    bkpt #23

    .thumb_func
hint_prog:
    yield                   /* a hint: goes on */
    movs r0, #1
    wfe                     /* no event pending: sleeps */
    movs r0, #2
    bkpt #19

    .cpu cortex-m4
    .fpu fpv4-sp-d16
    .thumb_func
fp_svc_prog:                /* FP context active (CONTROL.FPCA): SVC stacks the extended frame */
    vmov.f32 s0, #1.0
    vadd.f32 s1, s0, s0
    movs r5, #0
    svc #0
    vmov r6, s1
    bkpt #18
    .cpu cortex-m3

    .ltorg
