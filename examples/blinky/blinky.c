/* Blinky: toggles the board's LEDs in turn, with a busy-wait delay. No vendor library.
 * The globals are there for debugger tests: `break main`, `print blink_count`,
 * `watch blink_count`, `print blink_delay` (initialised, so it lives in .data). */
#include <stdint.h>

#include "board.h"

volatile uint32_t blink_count;          /* .bss: toggles so far */
volatile uint32_t blink_delay = 200000; /* .data: delay loop iterations per step */

static const uint8_t led_pins[] = LED_PINS;
#define LED_COUNT (sizeof(led_pins) / sizeof(led_pins[0]))

static void delay(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++) {
    }
}

static void leds_init(void)
{
    RCC_ENR |= RCC_ENR_BIT;
    (void)RCC_ENR; /* read back: the clock is on before the port is touched */
    for (unsigned i = 0; i < LED_COUNT; i++) {
        unsigned pin = led_pins[i];
#if defined(BOARD_F103)
        uint32_t crh = GPIO_CRH(LED_PORT);
        crh &= ~(0xFu << (4u * (pin - 8u)));
        crh |= 0x2u << (4u * (pin - 8u)); /* output, push-pull, 2 MHz */
        GPIO_CRH(LED_PORT) = crh;
#else
        uint32_t moder = GPIO_MODER(LED_PORT);
        moder &= ~(3u << (2u * pin));
        moder |= 1u << (2u * pin); /* general purpose output */
        GPIO_MODER(LED_PORT) = moder;
#endif
    }
}

static void led_set(unsigned index, int on)
{
    unsigned pin = led_pins[index];
    GPIO_BSRR(LED_PORT) = on ? (1u << pin) : (1u << (pin + 16u));
}

int main(void)
{
    leds_init();
    for (;;) {
        unsigned led = blink_count % LED_COUNT;
        led_set(led, 1);
        delay(blink_delay);
        led_set(led, 0);
        blink_count++;
    }
}
