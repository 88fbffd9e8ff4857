"""--users-csv reads a CSV by photoprov's own rules (Sources/PhotoProvisioning/Sources/{CSVReader,KeyRule,
SourceReader}.swift): the cases of photoprov's SourceReaderTests, the column names read from SourceReader.swift, and
the delimiter counted outside quotes."""

import os
import re
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from emulator import csvrules  # noqa: E402
from emulator_harness import Emulator  # noqa: E402

SOURCE_READER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Sources", "PhotoProvisioning", "Sources",
                             "SourceReader.swift")


def rows(text):
    return [(line, fields) for line, fields in csvrules.records(text, csvrules.detect_delimiter(text))]


class ColumnNameTests(unittest.TestCase):
    @unittest.skipUnless(os.path.isfile(SOURCE_READER), "photoprov's SourceReader.swift is not beside the scripts")
    def test_column_names_are_photoprovs(self):
        with open(SOURCE_READER, encoding="utf-8") as f:
            swift = f.read()
        for case, names in (("upn", csvrules.UPN_COLUMNS), ("employeeId", csvrules.EMPLOYEE_ID_COLUMNS)):
            m = re.search(r"case \." + case + r": \[([^\]]*)\]", swift)
            self.assertIsNotNone(m, f"SourceReader.keyColumnNames has no case .{case}")
            self.assertEqual(re.findall(r'"([^"]+)"', m.group(1)), names)

    def test_header_names_compare_without_case_spaces_underscores_or_dashes(self):
        self.assertEqual(csvrules.column(["Photo", " User Principal_Name "], csvrules.UPN_COLUMNS), 1)
        self.assertEqual(csvrules.column(["Employee-Number", "mail"], csvrules.EMPLOYEE_ID_COLUMNS), 0)
        self.assertEqual(csvrules.column(["Mail", "UPN"], csvrules.UPN_COLUMNS), 1)  # upn is preferred
        self.assertIsNone(csvrules.column(["Work Address"], csvrules.UPN_COLUMNS))


class DelimiterTests(unittest.TestCase):
    def test_delimiter_is_counted_outside_quotes_on_the_first_line(self):
        self.assertEqual(csvrules.detect_delimiter('"Name; Title; Notes",upn\n'), ",")  # the old emulator said ;
        self.assertEqual(csvrules.detect_delimiter("a;b;c\nx,y,z,w,v\n"), ";")
        self.assertEqual(csvrules.detect_delimiter('"multi\nline;;;;",a\tb\tc\n'), "\t")
        self.assertEqual(csvrules.detect_delimiter("a,b;c\n"), ",")  # a tie: , before ; before tab
        self.assertEqual(csvrules.detect_delimiter("upn\n"), ",")

    def test_each_delimiter_with_crlf_like_photoprovs_test(self):
        for d in (",", ";", "\t"):
            text = f"UserPrincipalName{d}Photo\r\nAlice@Contoso.com{d}photos/alice.jpg\r\nbob@contoso.com{d} b.png \r\n"
            self.assertEqual(rows(text), [(1, ["UserPrincipalName", "Photo"]),
                                          (2, ["Alice@Contoso.com", "photos/alice.jpg"]),
                                          (3, ["bob@contoso.com", " b.png "])])


class RecordTests(unittest.TestCase):
    def test_quoted_fields_keep_delimiters_and_newlines_and_physical_line_numbers(self):
        text = ('note,upn,photo\n"first line\nsecond line",alice@contoso.com,"a,b.jpg"\n"x",nobody,"carol.jpg"\n'
                '"three\nline\nnote",carol@contoso.com,carol.jpg\n\nok,dave@contoso.com,"dave ""the"" man.jpg"')
        got = rows(text)
        self.assertEqual([line for line, _ in got], [1, 2, 4, 5, 9])
        self.assertEqual(got[1][1], ["first line\nsecond line", "alice@contoso.com", "a,b.jpg"])
        self.assertEqual(got[4][1][2], 'dave "the" man.jpg')

    def test_lenient_quotes_crs_blank_rows_and_an_unterminated_quote(self):
        self.assertEqual(rows('a,b\r\nx"y,"q"z\r1,2\n'), [(1, ["a", "b"]), (2, ['x"y', "qz"]), (3, ["1", "2"])])
        self.assertEqual(rows('a,b\n"x\r\ny",z\n'), [(1, ["a", "b"]), (2, ["x\ny", "z"])])
        self.assertEqual(rows("a,b\n\n , \n,\nc,d"), [(1, ["a", "b"]), (5, ["c", "d"])])
        text = 'upn,photo\na@contoso.com,a.jpg\n"b@contoso.com,b.jpg\nc@contoso.com,c.jpg\n'
        self.assertEqual([f[0] for _, f in rows(text)], ["upn", "a@contoso.com"])


class KeyRuleTests(unittest.TestCase):
    def test_addresses(self):
        for good in ("alice@contoso.com", "o'brien+x@mail.contoso.co.uk", "kim_partner.example#EXT#@fabrikam.example",
                     "$admin@contoso.com", "a-b@x-y.example"):
            self.assertTrue(csvrules.is_address(good), good)
        for bad in ("nobody", "a@b", "a@@b.com", ".a@b.com", "a.@b.com", "a..b@c.com", "a@-b.com", "a@b.123",
                    "jé@x.com", "a b@c.com", "a@b_c.com", "a@b..com", "x" * 65 + "@b.com"):
            self.assertFalse(csvrules.is_address(bad), bad)
        self.assertEqual(csvrules.normalize_upn("  Alice@Contoso.COM \t"), "alice@contoso.com")
        self.assertIsNone(csvrules.normalize_upn("bob@localhost"))
        self.assertEqual(csvrules.normalize_employee_id("  E-0042 "), "E-0042")
        self.assertIsNone(csvrules.normalize_employee_id("E\x07"))


class UsersCsvFileTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="emu-csvrules-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_the_emulator_adds_the_users_photoprov_would_read(self):
        path = os.path.join(self.tmp, "people.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write('"Name; Title",upn,photo,employee_id\r\n"Ann; CEO",ann@contoso.example,a.jpg,E1\r\n'
                    '"Bad",not-an-address,b.jpg,E2\r\n"Cy",cy@contoso.example,c.jpg,\r\n')
        self.assertEqual(csvrules.read_users_csv(path), [("ann@contoso.example", "E1"), ("cy@contoso.example", None)])
        emu = Emulator("--users-csv", path)
        try:
            users = emu.state()["users"]
            self.assertIn("ann@contoso.example", users)
            self.assertIn("cy@contoso.example", users)
            self.assertNotIn("not-an-address", users)
        finally:
            emu.stop()
        latin1 = os.path.join(self.tmp, "latin1.csv")
        with open(latin1, "wb") as f:
            f.write(b"upn,photo\nj\xe9@x.com,a\n")
        with self.assertRaises(ValueError) as caught:
            csvrules.read_users_csv(latin1)
        self.assertIn("is not UTF-8 text (line 2)", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
