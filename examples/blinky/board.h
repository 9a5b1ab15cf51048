/* Per-board registers and LED pins for the blinky example. Addresses are from the reference
 * manuals (RM0090 F405/407, RM0410 F76x, RM0008 F10x, RM0038 L1x, RM0351 L47x, RM0444
 * G0x1, RM0440 G4, RM0433 H743, RM0367 L0x3; NUCLEO-H743ZI LEDs from UM2407; NUCLEO-G474RE LD2
 * on PA5, UM2505). One of BOARD_F407, BOARD_F767, BOARD_F103, BOARD_L151, BOARD_L476,
 * BOARD_G071, BOARD_G431, BOARD_G474, BOARD_H743, BOARD_L053, BOARD_C031, BOARD_G0B1,
 * BOARD_F072, BOARD_F303 is defined by the build (RM0091 F07x, RM0316 F303 for the last
 * two). */
#ifndef BLINKY_BOARD_H
#define BLINKY_BOARD_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#if defined(BOARD_F407) || defined(BOARD_F767) || defined(BOARD_L151) || defined(BOARD_L476) ||    \
    defined(BOARD_G071) || defined(BOARD_G431) || defined(BOARD_G474) || defined(BOARD_H743) ||    \
    defined(BOARD_L053) || defined(BOARD_C031) || defined(BOARD_G0B1) || defined(BOARD_F072) ||    \
    defined(BOARD_F303)
/* GPIO v2 (F2/F4/F7/L0/L1/L4/G0/G4): MODER at +0x00, BSRR at +0x18 */
#define GPIO_MODER(port) REG32((port) + 0x00u)
#define GPIO_BSRR(port)  REG32((port) + 0x18u)
#endif

#if defined(BOARD_F407)
#define BOARD_NAME  "STM32F4DISCOVERY"
#define RCC_ENR     REG32(0x40023800u + 0x30u) /* RCC_AHB1ENR */
#define RCC_ENR_BIT (1u << 3)                  /* GPIODEN */
#define LED_PORT    0x40020C00u                /* GPIOD */
#define LED_PINS                                                                                   \
    {                                                                                              \
        12u, 13u, 14u, 15u                                                                         \
    } /* green, orange, red, blue */
#elif defined(BOARD_F767)
#define BOARD_NAME  "NUCLEO-F767ZI"
#define RCC_ENR     REG32(0x40023800u + 0x30u) /* RCC_AHB1ENR */
#define RCC_ENR_BIT (1u << 1)                  /* GPIOBEN */
#define LED_PORT    0x40020400u                /* GPIOB */
#define LED_PINS                                                                                   \
    {                                                                                              \
        0u, 7u, 14u                                                                                \
    } /* LD1 green, LD2 blue, LD3 red */
#elif defined(BOARD_L151)
#define BOARD_NAME  "STM32L151CB board"
#define RCC_ENR     REG32(0x40023800u + 0x1Cu) /* RCC_AHBENR */
#define RCC_ENR_BIT (1u << 1)                  /* GPIOBEN */
#define LED_PORT    0x40020400u                /* GPIOB */
#define LED_PINS                                                                                   \
    {                                                                                              \
        6u, 7u                                                                                     \
    } /* as on the STM32L-DISCOVERY */
#elif defined(BOARD_L476)
#define BOARD_NAME  "NUCLEO-L476RG"
#define RCC_ENR     REG32(0x40021000u + 0x4Cu) /* RCC_AHB2ENR */
#define RCC_ENR_BIT (1u << 0)                  /* GPIOAEN */
#define LED_PORT    0x48000000u                /* GPIOA (AHB2) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD2 green */
#elif defined(BOARD_G071)
#define BOARD_NAME  "NUCLEO-G071RB"
#define RCC_ENR     REG32(0x40021000u + 0x34u) /* RCC_IOPENR */
#define RCC_ENR_BIT (1u << 0)                  /* GPIOAEN */
#define LED_PORT    0x50000000u                /* GPIOA (IOPORT) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD4 green */
#elif defined(BOARD_L053)
#define BOARD_NAME  "NUCLEO-L053R8"
#define RCC_ENR     REG32(0x40021000u + 0x2Cu) /* RCC_IOPENR */
#define RCC_ENR_BIT (1u << 0)                  /* IOPAEN */
#define LED_PORT    0x50000000u                /* GPIOA (IOPORT) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD2 green */
#elif defined(BOARD_C031) || defined(BOARD_G0B1)
/* NUCLEO-C031C6 and NUCLEO-G0B1RE (Nucleo-64: user LED LD4 on PA5, Arduino D13), GPIOA by
 * RCC_IOPENR bit 0 (RM0490, RM0444) */
#if defined(BOARD_C031)
#define BOARD_NAME "NUCLEO-C031C6"
#else
#define BOARD_NAME "NUCLEO-G0B1RE"
#endif
#define RCC_ENR     REG32(0x40021000u + 0x34u) /* RCC_IOPENR */
#define RCC_ENR_BIT (1u << 0)                  /* GPIOAEN */
#define LED_PORT    0x50000000u                /* GPIOA (IOPORT) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD4 green */
#elif defined(BOARD_F072) || defined(BOARD_F303)
/* NUCLEO-F072RB (UM1724) and NUCLEO-F303RE: LD2 on PA5; GPIOA at 0x48000000 clocked by
 * RCC_AHBENR.IOPAEN (bit 17): RM0091 6.4.6, RM0316 9.4.6 */
#if defined(BOARD_F072)
#define BOARD_NAME "NUCLEO-F072RB"
#else
#define BOARD_NAME "NUCLEO-F303RE"
#endif
#define RCC_ENR     REG32(0x40021000u + 0x14u) /* RCC_AHBENR */
#define RCC_ENR_BIT (1u << 17)                 /* IOPAEN */
#define LED_PORT    0x48000000u                /* GPIOA (AHB2) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD2 green */
#elif defined(BOARD_G431) || defined(BOARD_G474)
#if defined(BOARD_G431)
#define BOARD_NAME "NUCLEO-G431RB"
#else
#define BOARD_NAME "NUCLEO-G474RE"
#endif
#define RCC_ENR     REG32(0x40021000u + 0x4Cu) /* RCC_AHB2ENR */
#define RCC_ENR_BIT (1u << 0)                  /* GPIOAEN */
#define LED_PORT    0x48000000u                /* GPIOA (AHB2) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        5u                                                                                         \
    } /* LD2 green */
#elif defined(BOARD_H743)
#define BOARD_NAME  "NUCLEO-H743ZI"
#define RCC_ENR     REG32(0x58024400u + 0xE0u) /* RCC_AHB4ENR */
#define RCC_ENR_BIT (1u << 1)                  /* GPIOBEN */
#define LED_PORT    0x58020400u                /* GPIOB (AHB4) */
#define LED_PINS                                                                                   \
    {                                                                                              \
        0u, 14u                                                                                    \
    } /* LD1 green PB0, LD3 red PB14 (LD2 yellow is PE1) */
#elif defined(BOARD_F103)
#define BOARD_NAME  "blue pill (STM32F103C8)"
#define RCC_ENR     REG32(0x40021000u + 0x18u) /* RCC_APB2ENR */
#define RCC_ENR_BIT (1u << 4)                  /* IOPCEN */
#define LED_PORT    0x40011000u                /* GPIOC */
#define LED_PINS                                                                                   \
    {                                                                                              \
        13u                                                                                        \
    } /* PC13, active low */
#define GPIO_CRH(port)  REG32((port) + 0x04u)
#define GPIO_BSRR(port) REG32((port) + 0x10u)
#else
#error                                                                                             \
    "define one of BOARD_F407, BOARD_F767, BOARD_L151, BOARD_F103, BOARD_L476, BOARD_G071, BOARD_G431, BOARD_H743, BOARD_L053, BOARD_C031, BOARD_G0B1, BOARD_F072, BOARD_F303"
#endif

#endif
