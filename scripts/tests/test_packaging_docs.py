"""packaging/gen-docs: the man page and the bash/zsh completions list every option `photoprov COMMAND --help` lists.

Runs the generator on the built binary (PHOTOPROV_BIN, else .build/debug, .build/release or dist/stage) and
compares against the help text read here with its own plain pattern, not the generator's parser. Without a built
binary it prints a `SKIP:` line. bash is needed; zsh and groff are checked when installed.
"""

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN_DOCS = os.path.join(ROOT, "packaging", "gen-docs")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def skip(test, reason):
    print(f"SKIP: {reason}")
    test.skipTest(reason)


def find_binary():
    candidates = [os.environ.get("PHOTOPROV_BIN", "")]
    candidates += [os.path.join(ROOT, *parts, "photoprov") for parts in
                   ((".build", "debug"), (".build", "release"), ("dist", "stage"))]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def generate(binary, folder):
    result = subprocess.run([GEN_DOCS, binary, folder, "--date", "2026-01-01"], capture_output=True, text=True,
                            timeout=120)
    return result


def bash_complete(completion, *words):
    """What the bash completion offers after `words` (the last one being the word under the cursor)."""
    script = textwrap.dedent("""\
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
        _photoprov
        printf '%s\\n' "${COMPREPLY[@]}"
        """)
    result = subprocess.run(["bash", "-c", script, "complete", completion, "photoprov", *words],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise AssertionError(f"bash completion failed: {result.stderr}")
    return set(result.stdout.split())


def man_sections(page):
    """The roff source of each command's `.SS` section, options with their dashes unescaped."""
    sections = {}
    for block in re.split(r'^\.SS "', page, flags=re.M)[1:]:
        name, body = block.split('"', 1)
        sections[name] = re.split(r"^\.SH ", body, flags=re.M)[0].replace("\\-", "-")
    return sections


class GeneratedFromHelp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = find_binary()
        if not cls.binary:
            return
        cls.folder = tempfile.mkdtemp(prefix="photoprov-docs.")
        result = generate(cls.binary, cls.folder)
        if result.returncode != 0:
            raise AssertionError(f"gen-docs failed: {result.stderr}")

        def read(name):
            with open(os.path.join(cls.folder, name), encoding="utf-8") as file:
                return file.read()

        cls.man, cls.bash, cls.zsh = read("photoprov.1"), read("photoprov.bash"), read("_photoprov")
        overview = subprocess.run([cls.binary, "--help"], capture_output=True, text=True).stdout
        listed = overview.split("Commands:", 1)[1].split("\n\n", 1)[0]
        cls.commands = re.findall(r"^ +([a-z][a-z0-9-]*) ", listed, re.M)
        cls.options = {}
        for command in cls.commands:
            text = subprocess.run([cls.binary, command, "--help"], capture_output=True, text=True).stdout
            cls.options[command] = sorted(set(OPTION.findall(text)))

    @classmethod
    def tearDownClass(cls):
        if cls.binary:
            shutil.rmtree(cls.folder, ignore_errors=True)

    def setUp(self):
        if not self.binary:
            skip(self, "no built photoprov (swift build, or set PHOTOPROV_BIN) to generate the docs from")

    def test_help_lists_commands_and_options(self):
        self.assertIn("upload", self.commands)
        self.assertIn("--csv", self.options["upload"])
        self.assertGreater(sum(map(len, self.options.values())), 40)

    def test_man_page_has_every_option_in_its_command_section(self):
        sections = man_sections(self.man)
        self.assertEqual(list(sections), self.commands)
        for command, options in self.options.items():
            for name in options:
                with self.subTest(command=command, option=name):
                    self.assertRegex(sections[command], rf"(?m)^(\.B |\\fB){re.escape(name)}(\\fR)?\b")

    def test_man_page_formats_without_warnings(self):
        if not shutil.which("groff"):
            skip(self, "groff is not installed")
        path = os.path.join(self.folder, "photoprov.1")
        result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path], capture_output=True, text=True)
        self.assertEqual((result.returncode, result.stderr), (0, ""))
        text = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", path], capture_output=True, text=True).stdout
        for heading in ("NAME", "SYNOPSIS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"):
            self.assertIn(f"\n{heading}\n", text)
        self.assertIn("AZURE_FEDERATED_TOKEN_FILE", text)

    def test_bash_completes_commands_and_every_option(self):
        completion = os.path.join(self.folder, "photoprov.bash")
        self.assertEqual(bash_complete(completion, ""), set(self.commands) | {"--help", "--version"})
        for command, options in self.options.items():
            with self.subTest(command=command):
                offered = bash_complete(completion, command, "--")
                self.assertEqual(set(options) - offered, set(), "options --help lists but bash does not offer")
        self.assertEqual(bash_complete(completion, "upload", "--crop", ""), {"auto", "square", "none"})
        self.assertEqual(bash_complete(completion, "policy", ""), {"set"})

    def test_zsh_completion_has_every_option(self):
        for command, options in self.options.items():
            body = re.search(rf"^_photoprov_{command.replace('-', '_')}\(\) {{\n(.*?)^}}", self.zsh, re.M | re.S)
            self.assertIsNotNone(body, f"no zsh function for {command}")
            for name in options:
                with self.subTest(command=command, option=name):
                    self.assertRegex(body.group(1), rf"'{re.escape(name)}[=\[]")
        if shutil.which("zsh"):
            result = subprocess.run(["zsh", "-n", os.path.join(self.folder, "_photoprov")], capture_output=True,
                                    text=True)
            self.assertEqual((result.returncode, result.stderr), (0, ""))
        else:
            print("SKIP: zsh is not installed; the zsh completion's syntax was not checked")


class FollowsTheHelpText(unittest.TestCase):
    """gen-docs on a stand-in binary: a new option appears everywhere; a line it cannot read stops it."""

    def stub(self, folder, upload_options):
        path = os.path.join(folder, "photoprov")
        with open(path, "w", encoding="utf-8") as file:
            file.write(textwrap.dedent(f"""\
                #!/bin/sh
                case "$1 $2" in
                "--version ") echo "photoprov 9.9.9" ;;
                "upload --help") printf '%s\\n' "Upload photos." "" "Usage: photoprov upload [options]" "" \\
                    "Options:" {upload_options} ;;
                *) printf '%s\\n' "photoprov 9.9.9: a stand-in." "" "Usage: photoprov <command>" "" \\
                    "Commands:" "  upload    Upload photos." "" "Exit codes: 0 success, 7 something new." ;;
                esac
                """))
        os.chmod(path, 0o755)
        return path

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="photoprov-docs-stub.")
        self.addCleanup(shutil.rmtree, self.folder)

    def test_a_new_option_reaches_the_man_page_and_both_completions(self):
        binary = self.stub(self.folder, "'  --brand-new FILE            an option added today'")
        out = os.path.join(self.folder, "out")
        result = generate(binary, out)
        self.assertEqual(result.returncode, 0, result.stderr)
        for name, needle in (("photoprov.1", "\\-\\-brand\\-new"), ("photoprov.bash", "--brand-new"),
                             ("_photoprov", "'--brand-new=[an option added today]:FILE:_files'")):
            with open(os.path.join(out, name), encoding="utf-8") as file:
                self.assertIn(needle, file.read(), name)
        with open(os.path.join(out, "photoprov.1"), encoding="utf-8") as file:
            self.assertIn(".B 7\nsomething new", file.read())

    def test_an_unreadable_option_line_stops_the_generator(self):
        binary = self.stub(self.folder, "'  -b                          a short option the parser cannot place'")
        result = generate(binary, os.path.join(self.folder, "out"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("cannot read option line", result.stderr)


if __name__ == "__main__":
    unittest.main()
