/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "enterprises.h"
#include "macro.h"
#include "oui.h"

static OuiDb *load_fixture(void) {
        OuiDb *db = NULL;
        char *error = NULL;
        assert_int_equal(oui_db_load(VW_TEST_DATA, &db, &error), 0);
        assert_null(error);
        return db;
}

static const char *org_of(const OuiDb *db, const uint8_t mac[6], unsigned *bits) {
        uint32_t id = oui_lookup(db, mac, bits);
        return id == OUI_NONE ? NULL : oui_org_name(db, id);
}

static void test_load_counts(void **state) {
        OuiDb *db = load_fixture();
        assert_int_equal(oui_block_count(db, 24), 10);
        assert_int_equal(oui_block_count(db, 28), 2);
        assert_int_equal(oui_block_count(db, 36), 2);
        /* "IEEE Registration Authority" twice: interned once */
        assert_true(oui_org_count(db) < 10 + 2 + 2);
        assert_non_null(oui_file_path(db, OUI_FILE_MA_L));
        assert_null(oui_file_path(db, OUI_FILE_IAB));      /* optional, absent */
        oui_db_free(db);
}

static void test_ma_l(void **state) {
        OuiDb *db = load_fixture();
        unsigned bits = 0;
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x56 }, &bits),
                            "HUAWEI TECHNOLOGIES CO.,LTD");
        assert_int_equal(bits, 24);
        /* a quoted address spanning two lines does not derail the parser */
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x4c, 0x5e, 0x0c, 0, 0, 1 }, NULL), "Routerboard.com");
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0x0f, 0xe2, 0, 0, 1 }, NULL),
                            "Hangzhou H3C Technologies Co., Limited");
        assert_null(org_of(db, (uint8_t[6]) { 0x12, 0x34, 0x56, 0, 0, 1 }, NULL));
        oui_db_free(db);
}

static void test_longest_match(void **state) {
        OuiDb *db = load_fixture();
        unsigned bits = 0;
        /* MA-M block inside an IEEE-held MA-L */
        assert_string_equal(org_of(db, (uint8_t[6]) { 0xf8, 0xb5, 0x68, 0x1a, 0xbc, 0xde }, &bits), "Example Camera Works");
        assert_int_equal(bits, 28);
        assert_string_equal(org_of(db, (uint8_t[6]) { 0xf8, 0xb5, 0x68, 0x2a, 0xbc, 0xde }, &bits), "Private");
        /* no MA-M block there: the MA-L parent */
        assert_string_equal(org_of(db, (uint8_t[6]) { 0xf8, 0xb5, 0x68, 0x9a, 0xbc, 0xde }, &bits),
                            "IEEE Registration Authority");
        assert_int_equal(bits, 24);
        /* MA-S */
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23 }, &bits), "TELEPLATFORMS");
        assert_int_equal(bits, 36);
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x70, 0xb3, 0xd5, 0x71, 0x9f, 0xff }, &bits), "2M Technology");
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x70, 0xb3, 0xd5, 0x72, 0x00, 0x00 }, &bits),
                            "IEEE Registration Authority");
        oui_db_free(db);
}

static void test_add(void **state) {
        OuiDb *db = NULL;
        assert_int_equal(oui_db_new(&db), 0);
        assert_true(oui_db_add(db, "00:E0:FC", "Old Name") >= 0);
        assert_true(oui_db_add(db, "00e0fc", "New Name") >= 0);        /* later wins */
        assert_true(oui_db_add(db, "00E0FC5", "Sub Block") >= 0);
        assert_true(oui_db_add(db, "00E0FC5A1", "Tiny Block") >= 0);
        assert_int_equal(oui_db_add(db, "00E0F", "x"), -EINVAL);
        assert_int_equal(oui_db_add(db, "00E0FC12", "x"), -EINVAL);
        assert_int_equal(oui_db_add(db, "zz:zz:zz", "x"), -EINVAL);
        /* six, seven or nine characters that are not all digits */
        assert_int_equal(oui_db_add(db, "00:E0F", "x"), -EINVAL);
        assert_int_equal(oui_db_add(db, "00E0FC:", "x"), -EINVAL);
        assert_int_equal(oui_db_add(db, "00E0FG", "x"), -EINVAL);
        assert_int_equal(oui_db_add(db, "00E0FC12 ", "x"), -EINVAL);
        assert_true(oui_db_add(db, "00-E0-FC6", "Dashed Block") >= 0);
        assert_int_equal(oui_db_index(db), 0);
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0xe0, 0xfc, 0, 0, 0 }, NULL), "New Name");
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0xe0, 0xfc, 0x5f, 0, 0 }, NULL), "Sub Block");
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0xe0, 0xfc, 0x5a, 0x10, 0 }, NULL), "Tiny Block");
        assert_string_equal(org_of(db, (uint8_t[6]) { 0x00, 0xe0, 0xfc, 0x6a, 0x10, 0 }, NULL), "Dashed Block");
        oui_db_free(db);
}

static void test_malformed(void **state) {
        OuiDb *db = NULL;
        char *error = NULL;
        assert_int_equal(oui_db_load(VW_TEST_DATA "/bad", &db, &error), -EINVAL);
        assert_non_null(error);
        assert_non_null(strstr(error, "oui.csv:2: malformed CSV quoting"));
        free(error);
        error = NULL;
        assert_true(oui_db_load(VW_TEST_DATA "/does-not-exist", &db, &error) < 0);
        assert_non_null(strstr(error, "does-not-exist/oui.csv"));
        free(error);

        static const struct {
                const char *text, *want;
        } cases[] = {
                { "MA-X,00E0FC,Foo\n", "t:1: unknown registry" },
                { "MA-L,00E0F,Foo\n", "t:1: bad MA-L assignment" },
                { "MA-M,00E0FC,Foo\n", "t:1: bad MA-M assignment" },
                { "\nMA-L,00E0FC,\n", "t:2: empty organisation name" },
                { "MA-L,00E0FC\n", "t:1: expected Registry" },
                { "MA-L,\"00E0FC\"x,Foo\n", "t:1: malformed CSV quoting" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(oui_db_new(&db), 0);
                error = NULL;
                assert_int_equal(oui_db_parse(db, "t", cases[i].text, strlen(cases[i].text), &error), -EINVAL);
                assert_non_null(error);
                assert_non_null(strstr(error, cases[i].want));
                free(error);
                db = oui_db_free(db);
        }
}

static const char *org_at(const OuiDb *db, uint32_t prefix24) {
        uint8_t mac[6] = { prefix24 >> 16, prefix24 >> 8, prefix24, 0, 0, 0 };
        return org_of(db, mac, NULL);
}

static void test_csv_quoting(void **state) {
        static const char text[] =
                "Registry,Assignment,Organization Name,Organization Address\n"
                "MA-L,00E0FC,\"Name, with \"\"quotes\"\"\",\"an address\nover two lines\"\n"
                "\n"
                "MA-L,00E0FD,  Plain Name\t ,a,b,c,d\r\n"
                "MA-L,\"00E0FE\" ,\"  Spaced  \",\"x\",y\n"
                "MA-L,00E0FF,Last";
        OuiDb *db = NULL;
        char *error = NULL;
        assert_int_equal(oui_db_new(&db), 0);
        assert_int_equal(oui_db_parse(db, "t", text, strlen(text), &error), 0);
        assert_int_equal(oui_db_index(db), 0);
        assert_string_equal(org_at(db, 0x00e0fc), "Name, with \"quotes\"");
        assert_string_equal(org_at(db, 0x00e0fd), "Plain Name");
        assert_string_equal(org_at(db, 0x00e0fe), "Spaced");
        assert_string_equal(org_at(db, 0x00e0ff), "Last");
        oui_db_free(db);

        /* a field is cut to 255 bytes before it is trimmed */
        char long_name[400];
        int n = snprintf(long_name, sizeof long_name, "MA-L,00E0FC,   %0300d\n", 7);
        assert_int_equal(oui_db_new(&db), 0);
        assert_int_equal(oui_db_parse(db, "t", long_name, (size_t) n, &error), 0);
        assert_int_equal(oui_db_index(db), 0);
        assert_int_equal(strlen(org_at(db, 0x00e0fc)), 252);
        oui_db_free(db);

        /* line numbers count the newlines inside quotes; quotes are checked
         * in the fields nobody reads too */
        static const struct {
                const char *text, *want;
        } bad[] = {
                { "MA-L,00E0FC,A,\"1\n2\n3\"\nMA-L,00E0FD,B,x\"y\n", "t:4: malformed CSV quoting" },
                { "MA-L,00E0FC,A,x,\"y\" z\n", "t:1: malformed CSV quoting" },
                { "MA-L,00E0FC,\"A\n\nMA-L,00E0FD,B\n", "t:1: malformed CSV quoting" },
                { "MA-L,00E0FC,A,\"1\n2\"\nMA-L,00E0FD\n", "t:3: expected Registry" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(oui_db_new(&db), 0);
                error = NULL;
                assert_int_equal(oui_db_parse(db, "t", bad[i].text, strlen(bad[i].text), &error), -EINVAL);
                assert_non_null(error);
                assert_non_null(strstr(error, bad[i].want));
                free(error);
                db = oui_db_free(db);
        }
}

static void test_index_order(void **state) {
        /* many blocks, added out of order and several times: the index keeps
         * the one added last for each prefix */
        OuiDb *db = NULL;
        char hex[16], org[32];
        assert_int_equal(oui_db_new(&db), 0);
        for (unsigned round = 0; round < 3; round++)
                for (unsigned i = 0; i < 5000; i++) {
                        unsigned p = (i * 2654435761u) & 0xffffff;
                        snprintf(hex, sizeof hex, "%06X", p);
                        snprintf(org, sizeof org, "org %u round %u", i, round);
                        assert_true(oui_db_add(db, hex, org) >= 0);
                        snprintf(hex, sizeof hex, "%09llX", (unsigned long long) p << 12 | (i & 0xfff));
                        assert_true(oui_db_add(db, hex, org) >= 0);
                }
        assert_int_equal(oui_db_index(db), 0);
        assert_int_equal(oui_block_count(db, 24), 5000);
        assert_int_equal(oui_block_count(db, 36), 5000);
        for (unsigned i = 0; i < 5000; i++) {
                unsigned p = (i * 2654435761u) & 0xffffff;
                uint8_t mac[6] = { p >> 16, p >> 8, p, (i & 0xfff) >> 4, (uint8_t) ((i & 0xf) << 4), 0 };
                unsigned bits = 0;
                snprintf(org, sizeof org, "org %u round 2", i);
                assert_string_equal(org_of(db, mac, &bits), org);
                assert_int_equal(bits, 36);
                mac[3] ^= 0x80;
                assert_string_equal(org_of(db, mac, &bits), org);
                assert_int_equal(bits, 24);
        }
        /* a block added after indexing is seen once indexed again */
        assert_true(oui_db_add(db, "123456", "late") >= 0);
        assert_int_equal(oui_db_index(db), 0);
        assert_string_equal(org_at(db, 0x123456), "late");
        oui_db_free(db);
}

static void test_enterprises(void **state) {
        EnterpriseDb *db = NULL;
        char *error = NULL;
        assert_int_equal(enterprise_db_load(VW_TEST_DATA "/enterprises.tsv", &db, &error), 0);
        assert_string_equal(enterprise_name(db, 2011), "HUAWEI Technology Co.,Ltd");
        assert_string_equal(enterprise_name(db, 42111), "Inovonics, Inc.");
        assert_null(enterprise_name(db, 1004849));
        assert_null(enterprise_name(db, 10));
        assert_int_equal(enterprise_count(db), 12);
        assert_string_equal(enterprise_file_date(db), "2024-01-01");
        enterprise_db_free(db);

        assert_int_equal(enterprise_db_parse("t", "12 x\nbogus line\n", 16, &db, &error), -EINVAL);
        assert_non_null(strstr(error, "t:2:"));
        free(error);
}

static void test_oid(void **state) {
        uint32_t pen = 0;
        assert_int_equal(enterprise_from_oid("1.3.6.1.4.1.2011.2.23.291", &pen), 0);
        assert_int_equal(pen, 2011);
        assert_int_equal(enterprise_from_oid(".1.3.6.1.4.1.9", &pen), 0);
        assert_int_equal(pen, 9);
        assert_int_equal(enterprise_from_oid("1.3.6.1.2.1.33", &pen), -ENOENT);
        assert_int_equal(enterprise_from_oid("1.3.6.1.4.1.", &pen), -EINVAL);
        assert_int_equal(enterprise_from_oid("1.3.6.1.4.1.x", &pen), -EINVAL);
        assert_int_equal(enterprise_from_oid("1.3.6.1.4.1.99999999999", &pen), -EINVAL);
        assert_int_equal(enterprise_from_oid("not an oid", &pen), -EINVAL);
        assert_int_equal(enterprise_from_oid(NULL, &pen), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load_counts),
                cmocka_unit_test(test_ma_l),
                cmocka_unit_test(test_longest_match),
                cmocka_unit_test(test_add),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_csv_quoting),
                cmocka_unit_test(test_index_order),
                cmocka_unit_test(test_enterprises),
                cmocka_unit_test(test_oid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
