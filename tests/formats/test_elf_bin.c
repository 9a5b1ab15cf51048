/* ELF32 ARM and raw binary readers, and format detection. */
#include "fmt_test.h"

#include "core/alloc.h"

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

typedef struct phdr_spec {
    uint32_t type, offset, vaddr, paddr, filesz, memsz;
} phdr_spec;

/* Builds an ELF32 LE ARM executable with the given program headers (table at 52) followed by
 * 0x100 bytes of pattern data at offset 0x100. Returns the file size. */
static size_t make_elf(uint8_t *buf, const phdr_spec *ph, unsigned n, uint32_t entry)
{
    memset(buf, 0, 0x200);
    memcpy(buf,
           "\x7F"
           "ELF",
           4);
    buf[4] = 1; /* ELFCLASS32 */
    buf[5] = 1; /* ELFDATA2LSB */
    buf[6] = 1;
    put16(buf + 16, 2);  /* ET_EXEC */
    put16(buf + 18, 40); /* EM_ARM */
    put32(buf + 20, 1);
    put32(buf + 24, entry);
    put32(buf + 28, 52); /* e_phoff */
    put16(buf + 40, 52);
    put16(buf + 42, 32);
    put16(buf + 44, (unsigned)n);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = buf + 52 + 32 * i;
        put32(p, ph[i].type);
        put32(p + 4, ph[i].offset);
        put32(p + 8, ph[i].vaddr);
        put32(p + 12, ph[i].paddr);
        put32(p + 16, ph[i].filesz);
        put32(p + 20, ph[i].memsz);
    }
    for (unsigned i = 0; i < 0x100; i++)
        buf[0x100 + i] = (uint8_t)(i ^ 0x5A);
    return 0x200;
}

static const phdr_spec good[] = {
    {1, 0x100, 0x08000000u, 0x08000000u, 0x80, 0x80},  /* .text */
    {1, 0x180, 0x20000000u, 0x08000080u, 0x10, 0x40},  /* .data at its load address */
    {1, 0x190, 0x20000010u, 0x20000010u, 0x00, 0x200}, /* .bss only: skipped */
    {4, 0x190, 0, 0, 0x20, 0x20},                      /* PT_NOTE: ignored */
};

static void test_elf_loads_at_physical_addresses(void **state)
{
    (void)state;
    uint8_t buf[0x200];
    size_t len = make_elf(buf, good, 4, 0x080000A5u);
    assert_int_equal(stp_format_detect(buf, len, "fw.bin"), STP_FORMAT_ELF);
    stp_image *img = NULL;
    assert_int_equal(
        stp_image_parse(buf, len, "fw.elf", STP_FORMAT_AUTO, STP_DEFAULT_BIN_BASE, &img, NULL),
        STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    stp_segment s = stp_image_segment(img, 0);
    assert_int_equal(s.addr, 0x08000000u);
    assert_int_equal(s.size, 0x90);
    assert_memory_equal(s.data, buf + 0x100, 0x90);
    assert_int_equal(stp_image_entry(img), 0x080000A5u);
    stp_image_destroy(img);
}

static void test_elf_all_physical_zero_uses_virtual(void **state)
{
    (void)state;
    uint8_t buf[0x200];
    phdr_spec ph[2] = {{1, 0x100, 0x08000000u, 0, 0x40, 0x40},
                       {1, 0x140, 0x08000040u, 0, 0x10, 0x10}};
    size_t len = make_elf(buf, ph, 2, 0x08000001u);
    stp_image *img = NULL;
    assert_int_equal(
        stp_image_parse(buf, len, "v.elf", STP_FORMAT_ELF, STP_DEFAULT_BIN_BASE, &img, NULL),
        STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x08000000u);
    assert_int_equal(stp_image_segment(img, 0).size, 0x50);
    stp_image_destroy(img);
}

static void test_elf_absurd_offsets_and_sizes(void **state)
{
    (void)state;
    uint8_t buf[0x200];
    phdr_spec ph[1] = {{1, 0x1F0, 0x08000000u, 0x08000000u, 0x20, 0x20}};
    size_t len = make_elf(buf, ph, 1, 0);
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.elf-corrupt",
               "a.elf program header 0: data at offset 0x1F0, size 0x20 lies outside the file");
    ph[0].offset = 0xFFFFFFF0u;
    ph[0].filesz = 0xFFFFFFFFu;
    ph[0].memsz = 0xFFFFFFFFu;
    len = make_elf(buf, ph, 1, 0);
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.elf-corrupt", NULL);
    ph[0] = (phdr_spec){1, 0x100, 0, 0, 0x20, 0x10}; /* filesz > memsz */
    len = make_elf(buf, ph, 1, 0);
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.elf-corrupt",
               "larger than memory size");
    len = make_elf(buf, good, 2, 0);
    put32(buf + 28, 0xFFFFFF00u); /* program header table outside the file */
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.elf-corrupt",
               "program headers at 0xFFFFFF00");
    len = make_elf(buf, good, 2, 0);
    put16(buf + 42, 8); /* e_phentsize too small */
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.elf-corrupt", NULL);
    ph[0] = (phdr_spec){1, 0x100, 0, 0xFFFFFFF0u, 0x20, 0x20}; /* past 4 GiB */
    len = make_elf(buf, ph, 1, 0);
    expect_bad(buf, len, "a.elf", STP_FORMAT_ELF, STP_ERR_RANGE, "file.address-range",
               "a.elf program header 0");
}

static void test_elf_unsupported_and_truncated(void **state)
{
    (void)state;
    uint8_t buf[0x200];
    size_t len = make_elf(buf, good, 2, 0);
    expect_bad(buf, 40, "t.elf", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.truncated", "ELF header");
    buf[4] = 2;
    expect_bad(buf, len, "t.elf", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.elf-unsupported",
               "not 32-bit");
    buf[4] = 1;
    buf[5] = 2;
    expect_bad(buf, len, "t.elf", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.elf-unsupported",
               "little-endian");
    buf[5] = 1;
    put16(buf + 18, 62);
    expect_bad(buf, len, "t.elf", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.elf-unsupported",
               "not ARM");
    put16(buf + 18, 40);
    put16(buf + 16, 1);
    expect_bad(buf, len, "t.elf", STP_FORMAT_AUTO, STP_ERR_FORMAT, "file.elf-unsupported",
               "relocatable");
}

static void test_elf_overlap_and_empty(void **state)
{
    (void)state;
    uint8_t buf[0x200];
    phdr_spec ph[2] = {{1, 0x100, 0, 0x08000000u, 0x40, 0x40},
                       {1, 0x140, 0, 0x08000020u, 0x40, 0x40}};
    size_t len = make_elf(buf, ph, 2, 0);
    expect_bad(buf, len, "o.elf", STP_FORMAT_ELF, STP_ERR_OVERLAP, "file.overlap",
               "o.elf program header 1: data at 0x08000020..0x0800003F overlaps data from "
               "o.elf program header 0");
    len = make_elf(buf, good + 2, 2, 0);
    expect_bad(buf, len, "e.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.empty", NULL);
    len = make_elf(buf, good, 0, 0);
    expect_bad(buf, len, "e.elf", STP_FORMAT_ELF, STP_ERR_FORMAT, "file.empty", NULL);
}

static void test_bin_base_and_range(void **state)
{
    (void)state;
    uint8_t data[64];
    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(0xA0 + i);
    data[0] = ':'; /* not a valid hex record, stays binary */
    assert_int_equal(stp_format_detect(data, sizeof(data), "fw.bin"), STP_FORMAT_BIN);
    assert_int_equal(stp_format_detect(data, sizeof(data), "fw"), STP_FORMAT_BIN);
    stp_image *img = NULL;
    assert_int_equal(stp_image_parse(data, sizeof(data), "fw.bin", STP_FORMAT_AUTO,
                                     STP_DEFAULT_BIN_BASE, &img, NULL),
                     STP_OK);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x08000000u);
    assert_int_equal(stp_image_segment(img, 0).size, 64);
    assert_false(stp_image_has_entry(img));
    stp_image_destroy(img);
    assert_int_equal(
        stp_image_parse(data, sizeof(data), "fw.bin", STP_FORMAT_BIN, 0x08004000u, &img, NULL),
        STP_OK);
    assert_int_equal(stp_image_segment(img, 0).addr, 0x08004000u);
    stp_image_destroy(img);
    stp_findings f;
    stp_findings_init(&f);
    assert_int_equal(
        stp_image_parse(data, sizeof(data), "fw.bin", STP_FORMAT_BIN, 0xFFFFFFF0u, &img, &f),
        STP_ERR_RANGE);
    assert_non_null(stp_findings_find(&f, "file.address-range"));
    assert_non_null(
        strstr(f.items[0].message, "fw.bin offset 0x0: data at 0xFFFFFFF0..0x10000002F"));
    stp_findings_free(&f);
    expect_bad(data, 0, "z.bin", STP_FORMAT_BIN, STP_ERR_FORMAT, "file.empty", "z.bin");
}

static void test_two_files_into_one_image(void **state)
{
    (void)state;
    stp_image *img = NULL;
    assert_int_equal(stp_image_create(&img), STP_OK);
    char hex[256] = "";
    ihex_rec(hex, 4, 0, (const uint8_t[]){0x08, 0x00}, 2);
    ihex_rec(hex, 0, 0x0100, (const uint8_t *)"0123456789abcdef", 16);
    ihex_rec(hex, 1, 0, NULL, 0);
    assert_int_equal(stp_image_parse_into(img, (const uint8_t *)hex, strlen(hex), "app.hex",
                                          STP_FORMAT_AUTO, 0, NULL),
                     STP_OK);
    uint8_t boot[0x100];
    memset(boot, 0xB0, sizeof(boot));
    assert_int_equal(stp_image_parse_into(img, boot, sizeof(boot), "boot.bin", STP_FORMAT_BIN,
                                          0x08000000u, NULL),
                     STP_OK);
    assert_int_equal(stp_image_segment_count(img), 1);
    assert_int_equal(stp_image_total_bytes(img), 0x110);
    stp_findings f;
    stp_findings_init(&f);
    assert_int_equal(
        stp_image_parse_into(img, boot, sizeof(boot), "boot.bin", STP_FORMAT_BIN, 0x08000080u, &f),
        STP_ERR_OVERLAP);
    assert_string_equal(f.items[0].message, "boot.bin offset 0x0: data at 0x08000080..0x0800010F "
                                            "overlaps data from boot.bin offset 0x0");
    stp_findings_clear(&f);
    assert_int_equal(
        stp_image_parse_into(img, boot, 8, "late.bin", STP_FORMAT_BIN, 0x0800010Cu, &f),
        STP_ERR_OVERLAP);
    assert_non_null(strstr(f.items[0].message, "overlaps data from app.hex:2"));
    stp_findings_free(&f);
    stp_image_destroy(img);
}

static void test_extension_table(void **state)
{
    (void)state;
    assert_int_equal(stp_format_from_extension("out/dump.HEX"), STP_FORMAT_IHEX);
    assert_int_equal(stp_format_from_extension("a.s19"), STP_FORMAT_SREC);
    assert_int_equal(stp_format_from_extension("a.srec"), STP_FORMAT_SREC);
    assert_int_equal(stp_format_from_extension("a.bin"), STP_FORMAT_BIN);
    assert_int_equal(stp_format_from_extension("a.elf"), STP_FORMAT_ELF);
    assert_int_equal(stp_format_from_extension("dir.hex/noext"), STP_FORMAT_AUTO);
    assert_int_equal(stp_format_from_extension("a.txt"), STP_FORMAT_AUTO);
    assert_string_equal(stp_format_name(STP_FORMAT_IHEX), "ihex");
}

static void test_missing_file(void **state)
{
    (void)state;
    stp_findings f;
    stp_findings_init(&f);
    stp_image *img = NULL;
    assert_int_equal(
        stp_image_load_file("/nonexistent/fw.hex", STP_FORMAT_AUTO, STP_DEFAULT_BIN_BASE, &img, &f),
        STP_ERR_IO);
    assert_null(img);
    const stp_finding *fi = stp_findings_find(&f, "file.open-failed");
    assert_non_null(fi);
    assert_non_null(strstr(fi->message, "/nonexistent/fw.hex: cannot open: No such file"));
    stp_findings_clear(&f);
    assert_int_equal(stp_image_load_file("/", STP_FORMAT_AUTO, 0, &img, &f), STP_ERR_IO);
    assert_non_null(stp_findings_find(&f, "file.read-failed"));
    stp_findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_loads_at_physical_addresses),
        cmocka_unit_test(test_elf_all_physical_zero_uses_virtual),
        cmocka_unit_test(test_elf_absurd_offsets_and_sizes),
        cmocka_unit_test(test_elf_unsupported_and_truncated),
        cmocka_unit_test(test_elf_overlap_and_empty),
        cmocka_unit_test(test_bin_base_and_range),
        cmocka_unit_test(test_two_files_into_one_image),
        cmocka_unit_test(test_extension_table),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
