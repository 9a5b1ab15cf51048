/* libFuzzer target: what a GDB client sends to `stprog gdbserver`. The input is the byte
 * stream of the connection: it goes through the packet receiver (framing, checksums,
 * escapes, Ctrl-C, oversize), every complete packet through the request parser, and the
 * parsed arguments into the reply builders the server uses (qXfer chunks, hex, escaped
 * binary). None of it may crash, hang or touch memory outside its buffers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ops/gdb_proto.h"

static const char doc[] = "<?xml version=\"1.0\"?>\n<target><architecture>arm</architecture>"
                          "<feature name=\"org.gnu.gdb.arm.m-profile\"/></target>\n";

static void use_request(const stp_gdb_req *r)
{
    char reply[512];
    stp_gdb_out o;
    stp_gdb_out_init(&o, reply, sizeof(reply));
    switch (r->kind) {
    case STP_GDB_REQ_XFER_FEATURES:
    case STP_GDB_REQ_XFER_MEMMAP:
        stp_gdb_xfer_reply(&o, doc, sizeof(doc) - 1, r->offset, r->len);
        break;
    case STP_GDB_REQ_WRITE_MEM:
    case STP_GDB_REQ_WRITE_REGS:
    case STP_GDB_REQ_WRITE_REG:
    case STP_GDB_REQ_FLASH_WRITE:
        stp_gdb_out_hex(&o, r->data, r->data_len);
        stp_gdb_out_binary(&o, r->data, r->data_len);
        break;
    case STP_GDB_REQ_MONITOR:
        stp_gdb_out_str(&o, (const char *)r->data);
        break;
    default:
        stp_gdb_out_fmt(&o, "%x,%x,%u,%c", (unsigned)r->addr, (unsigned)r->len, r->regno,
                        r->resume ? r->resume : '-');
        break;
    }
    char framed[600];
    (void)stp_gdb_frame(o.buf, o.len, framed, sizeof(framed));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A small receive buffer (not PacketSize) so that oversize is reached too. */
    uint8_t buf[1024 + 1];
    stp_gdb_rx rx;
    stp_gdb_rx_init(&rx, buf, sizeof(buf) - 1);
    for (size_t i = 0; i < size; i++) {
        if (stp_gdb_rx_byte(&rx, data[i]) != STP_GDB_EV_PACKET)
            continue;
        stp_gdb_req r;
        stp_gdb_parse(rx.buf, rx.len, rx.cap + 1, &r);
        use_request(&r);
    }
    return 0;
}
