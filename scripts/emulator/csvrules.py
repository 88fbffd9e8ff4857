"""photoprov's CSV and key rules, for `--users-csv`: the same file must mean the same users to both programs.

Ported from Sources/PhotoProvisioning/Sources/{CSVReader,KeyRule,SourceReader}.swift; scripts/tests/test_csv_rules.py
runs the cases of photoprov's own tests and checks the column names against SourceReader.swift.
"""

import unicodedata

DELIMITERS = (",", ";", "\t")
# SourceReader.keyColumnNames(.upn) and (.employeeId), in photoprov's order of preference.
UPN_COLUMNS = ["upn", "userPrincipalName", "mail", "email", "emailAddress"]
EMPLOYEE_ID_COLUMNS = ["employeeId", "employeeNumber", "employee", "empId"]
_LOCAL_EXTRAS = set(".!#$%&'*+-/=?^_`{|}~")
_ALNUM = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def detect_delimiter(text):
    """The most frequent of `,` `;` and tab on the first line, counted outside quotes (ties: that order); `,` if
    none. The first line ends at the first line break outside quotes."""
    counts = [0, 0, 0]
    in_quotes = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            if ch in "\n\r":
                break
            if ch in DELIMITERS:
                counts[DELIMITERS.index(ch)] += 1
    best = max(range(3), key=lambda i: (counts[i], -i))
    return DELIMITERS[best] if counts[best] > 0 else ","


def records(text, delimiter):
    """Yields (line, fields) per record (RFC 4180 quoting, lenient like photoprov: a quote inside an unquoted field
    is a character, text after a closing quote joins the field). Blank records and records of only whitespace are
    skipped; a quoted field that never closes ends the reading."""
    i, n, line = 0, len(text), 1
    while i < n:
        fields, field, start_line = [], [], line
        in_quotes = started = False
        ended = False
        while i < n:
            ch = text[i]
            nxt = text[i + 1] if i + 1 < n else None
            i += 1
            if in_quotes:
                if ch == '"':
                    if nxt == '"':
                        field.append('"')
                        i += 1
                    else:
                        in_quotes = False
                elif ch == "\r":
                    if nxt == "\n":
                        i += 1
                    field.append("\n")
                    line += 1
                else:
                    if ch == "\n":
                        line += 1
                    field.append(ch)
                continue
            if ch == '"' and not started:
                in_quotes = started = True
            elif ch == delimiter:
                fields.append("".join(field))
                field, started = [], False
            elif ch in "\n\r":
                if ch == "\r" and nxt == "\n":
                    i += 1
                fields.append("".join(field))
                line += 1
                ended = True
                break
            else:
                field.append(ch)
                started = True
        if not ended:
            if in_quotes:
                return
            if not (started or field or fields):
                return
            fields.append("".join(field))
        if any(not f.isspace() and f != "" for f in fields):
            yield start_line, fields


def is_address(text):
    """KeyRule.isAddress: `name@domain.tld` with one `@`, a local part of address characters without leading,
    trailing or doubled dots, and a domain of at least two DNS labels whose last is not all digits."""
    parts = text.split("@")
    if len(parts) != 2:
        return False
    local, domain = parts
    if not local or len(local.encode()) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if not all(c in _ALNUM or c in _LOCAL_EXTRAS for c in local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or len(domain.encode()) > 253:
        return False
    for label in labels:
        if not label or len(label) > 63 or label.startswith("-") or label.endswith("-"):
            return False
        if not all(c in _ALNUM or c == "-" for c in label):
            return False
    return not labels[-1].isdigit()


def normalize_upn(raw):
    """KeyRule.normalize(_, as: .upn): the trimmed, lower-cased address, or None when it is not one."""
    text = raw.strip()
    return text.lower() if text and is_address(text) else None


def normalize_employee_id(raw):
    """KeyRule.normalize(_, as: .employeeId): the trimmed text, or None when empty or holding a control character."""
    text = raw.strip()
    if not text or any(unicodedata.category(c) == "Cc" for c in text):
        return None
    return text


def _header_key(name):
    """SourceReader.normalize: lower case without spaces, `_` or `-` (after trimming spaces and tabs)."""
    return "".join(c for c in name.strip(" \t").lower() if c not in " _-")


def column(header, candidates):
    keys = [_header_key(h) for h in header]
    for candidate in candidates:
        key = _header_key(candidate)
        if key in keys:
            return keys.index(key)
    return None


def read_users_csv(path):
    """Returns [(upn as written, employeeId or None)] for the rows of `path` whose UPN column holds an address.

    Raises ValueError when the file is not UTF-8 or has no UPN column.
    """
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ValueError(f"{path} is not UTF-8 text (line {line}); save it as CSV UTF-8") from None
    rows = records(text, detect_delimiter(text))
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path} has no header row")
    header = first[1]
    upn = column(header, UPN_COLUMNS)
    if upn is None:
        raise ValueError(f"{path}: no UPN column (looked for {', '.join(UPN_COLUMNS)})")
    emp = column(header, EMPLOYEE_ID_COLUMNS)
    out = []
    for _, fields in rows:
        key = fields[upn].strip() if upn < len(fields) else ""
        if normalize_upn(key) is None:
            continue
        e = normalize_employee_id(fields[emp]) if emp is not None and emp < len(fields) else None
        out.append((key, e))
    return out
