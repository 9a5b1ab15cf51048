/* The GDB remote serial protocol without a target: packet framing ($data#cs, acks, Ctrl-C),
 * request parsing into a struct (no target access), and reply encoding. Pure functions on
 * caller buffers, so the fuzz target (fuzz/fuzz_gdb_packet.c) reaches all of it. */
#ifndef STP_OPS_GDB_PROTO_H
#define STP_OPS_GDB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Payload bytes of the largest packet accepted (advertised as PacketSize). */
#define STP_GDB_PACKET_MAX 0x4000u

typedef enum stp_gdb_event {
    STP_GDB_EV_NONE = 0,     /* byte consumed, nothing complete yet */
    STP_GDB_EV_PACKET,       /* rx->buf[0..len) holds a packet with a good checksum */
    STP_GDB_EV_BAD_CHECKSUM, /* a packet arrived with a wrong checksum (answer '-') */
    STP_GDB_EV_INTERRUPT,    /* Ctrl-C (0x03) outside a packet */
    STP_GDB_EV_ACK,          /* '+' */
    STP_GDB_EV_NAK,          /* '-' */
    STP_GDB_EV_GARBAGE,      /* a byte that belongs to no packet */
    STP_GDB_EV_OVERSIZE,     /* the packet grew beyond the buffer: the peer is hostile */
} stp_gdb_event;

typedef struct stp_gdb_rx {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int state;
    uint8_t sum;
    uint8_t csum;
} stp_gdb_rx;

/* buf (cap bytes) holds the payload of the packet being received. */
void stp_gdb_rx_init(stp_gdb_rx *rx, uint8_t *buf, size_t cap);
stp_gdb_event stp_gdb_rx_byte(stp_gdb_rx *rx, uint8_t c);

typedef enum stp_gdb_req_kind {
    STP_GDB_REQ_UNSUPPORTED = 0, /* answered with an empty packet */
    STP_GDB_REQ_MALFORMED,       /* a known command with unusable arguments: E01 */
    STP_GDB_REQ_HALT_REASON,     /* ? */
    STP_GDB_REQ_READ_REGS,       /* g */
    STP_GDB_REQ_WRITE_REGS,      /* G data */
    STP_GDB_REQ_READ_REG,        /* p n */
    STP_GDB_REQ_WRITE_REG,       /* P n=data */
    STP_GDB_REQ_READ_MEM,        /* m addr,len */
    STP_GDB_REQ_WRITE_MEM,       /* M addr,len:hex and X addr,len:binary */
    STP_GDB_REQ_RESUME,          /* c, s, C, S, vCont;... (resume, addr) */
    STP_GDB_REQ_VCONT_QUERY,     /* vCont? */
    STP_GDB_REQ_BREAK_INSERT,    /* Z type,addr,kind */
    STP_GDB_REQ_BREAK_REMOVE,    /* z type,addr,kind */
    STP_GDB_REQ_KILL,            /* k, vKill;pid */
    STP_GDB_REQ_DETACH,          /* D, D;pid */
    STP_GDB_REQ_EXTENDED,        /* ! */
    STP_GDB_REQ_RESTART,         /* R xx (no reply) */
    STP_GDB_REQ_RUN,             /* vRun;... (stop reply) */
    STP_GDB_REQ_ATTACH,          /* vAttach;pid (stop reply) */
    STP_GDB_REQ_SUPPORTED,       /* qSupported[:features] */
    STP_GDB_REQ_XFER_FEATURES,   /* qXfer:features:read:annex:offset,length */
    STP_GDB_REQ_XFER_MEMMAP,     /* qXfer:memory-map:read::offset,length */
    STP_GDB_REQ_NOACK,           /* QStartNoAckMode */
    STP_GDB_REQ_MONITOR,         /* qRcmd,hex (data = the decoded text, NUL-terminated) */
    STP_GDB_REQ_FLASH_ERASE,     /* vFlashErase:addr,len */
    STP_GDB_REQ_FLASH_WRITE,     /* vFlashWrite:addr:binary */
    STP_GDB_REQ_FLASH_DONE,      /* vFlashDone */
    STP_GDB_REQ_OK,              /* H.., T.., qSymbol, QNonStop:0 ...: answered OK */
    STP_GDB_REQ_ATTACHED,        /* qAttached: "1" */
    STP_GDB_REQ_CURRENT_THREAD,  /* qC */
    STP_GDB_REQ_THREADS_FIRST,   /* qfThreadInfo */
    STP_GDB_REQ_THREADS_NEXT,    /* qsThreadInfo */
} stp_gdb_req_kind;

typedef struct stp_gdb_req {
    stp_gdb_req_kind kind;
    uint32_t addr;
    uint32_t len;    /* m/M/X/vFlashErase length; qXfer length */
    uint32_t offset; /* qXfer offset */
    unsigned regno;
    unsigned ztype; /* Z/z: 0 sw, 1 hw, 2 write, 3 read, 4 access watchpoint */
    unsigned zkind; /* Z0/Z1: breakpoint size; Z2-4: bytes watched */
    char resume;    /* 'c' continue, 's' step, 't' stop */
    bool has_addr;  /* c ADDR / s ADDR: resume there */
    char annex[24]; /* qXfer annex ("target.xml") */
    uint8_t *data;  /* decoded bytes, inside the packet buffer */
    size_t data_len;
} stp_gdb_req;

/* Parses the packet in place (hex and binary data are decoded into the same buffer, which
 * gets one byte of slack: cap must be > len for the qRcmd NUL). Never reads outside
 * pkt[0..len). */
stp_gdb_req_kind stp_gdb_parse(uint8_t *pkt, size_t len, size_t cap, stp_gdb_req *req);

/* Reply building into a fixed buffer; all return false when it would overflow. */
typedef struct stp_gdb_out {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow;
} stp_gdb_out;

void stp_gdb_out_init(stp_gdb_out *o, char *buf, size_t cap);
void stp_gdb_out_str(stp_gdb_out *o, const char *s);
void stp_gdb_out_hex(stp_gdb_out *o, const void *data, size_t len);
/* Binary data escaped for the wire ('#', '$', '}', '*' as '}' c^0x20). */
void stp_gdb_out_binary(stp_gdb_out *o, const void *data, size_t len);
void stp_gdb_out_fmt(stp_gdb_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* qXfer reply for [offset, offset+length) of doc: "m..." / "l..." into o. */
void stp_gdb_xfer_reply(stp_gdb_out *o, const char *doc, size_t doc_len, uint32_t offset,
                        uint32_t length);

/* $payload#cs framing into out (cap >= len + 4 needed); returns the framed length or 0. */
size_t stp_gdb_frame(const char *payload, size_t len, char *out, size_t cap);

#endif
