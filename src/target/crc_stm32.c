/* CRC-32 the way the STM32 CRC unit computes it (RM0090 4.3): polynomial 0x04C11DB7, initial
 * value 0xFFFFFFFF, each 32-bit word (little-endian in memory) shifted in MSB first, no
 * reflection, no final XOR. The host side of on-target verify. */
#include "target/flash_loader.h"

static uint32_t table_entry(uint32_t top_byte)
{
    uint32_t c = top_byte << 24;
    for (int k = 0; k < 8; k++)
        c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
    return c;
}

uint32_t stp_crc32_stm32(const uint8_t *data, size_t len)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++)
        table[i] = table_entry(i);
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t off = 0; off + 4 <= len; off += 4) {
        uint32_t w = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 |
                     (uint32_t)data[off + 2] << 16 | (uint32_t)data[off + 3] << 24;
        for (int b = 3; b >= 0; b--)
            crc = (crc << 8) ^ table[((crc >> 24) ^ (w >> (8 * b))) & 0xFFu];
    }
    return crc;
}
