"""Measuring uploaded photos, and re-encoding PNG uploads as a JPEG, as Graph stores every photo.

Graph keeps profile photos as JPEG (its metadata answers `@odata.mediaContentType: image/jpeg`, see
https://learn.microsoft.com/graph/api/profilephoto-get) and re-encodes what it receives. The standard library decodes
PNG (zlib) but has no JPEG codec, so `png_to_jpeg` is a small baseline JPEG encoder (ITU T.81 Annex K tables, 4:2:0,
quality 90): a PNG upload is stored, and read back, as a real JPEG of the same size (pure Python: seconds for a
648x648 PNG, so converted ones are cached by their SHA-256). JPEG uploads are kept as sent: a JPEG decoder is out of
reach of the standard library, so the emulator does not re-encode them (their ETag still changes at every upload, as
on Graph).
"""

import collections
import hashlib
import math
import struct
import threading
import zlib

# What a PNG that does not decode raises somewhere in the decoder.
DECODE_ERRORS = (ValueError, IndexError, TypeError, struct.error, zlib.error)


def image_dimensions(body):
    """Returns (content type, width, height) read from a JPEG SOF or PNG IHDR header, or None."""
    n = len(body)
    if n >= 24 and body[:8] == b"\x89PNG\r\n\x1a\n" and body[12:16] == b"IHDR":
        return "image/png", int.from_bytes(body[16:20], "big"), int.from_bytes(body[20:24], "big")
    if n < 4 or body[0] != 0xFF or body[1] != 0xD8:
        return None
    i = 2
    while i + 3 < n:
        if body[i] != 0xFF:
            return None
        marker = body[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        length = (body[i + 2] << 8) | body[i + 3]
        if length < 2:
            return None
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            if i + 9 > n:
                return None
            height = (body[i + 5] << 8) | body[i + 6]
            width = (body[i + 7] << 8) | body[i + 8]
            if width == 0 or height == 0:
                return None
            return "image/jpeg", width, height
        i += 2 + length
    return None


# ---------------------------------------------------------------------------------------------------------------
# PNG decoding (https://www.w3.org/TR/png/): every colour type and bit depth, Adam7 interlacing; alpha is composited
# over white, as a photo without transparency needs.

_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _unfilter(data, width, height, bpp, row_bytes, pos):
    """Reverses the per-row filters of one (sub)image; returns (rows, next position)."""
    rows = []
    prev = bytearray(row_bytes)
    for _ in range(height):
        kind = data[pos]
        row = bytearray(data[pos + 1:pos + 1 + row_bytes])
        pos += 1 + row_bytes
        if len(row) != row_bytes:
            raise ValueError("truncated PNG data")
        if kind == 1:
            for i in range(bpp, row_bytes):
                row[i] = (row[i] + row[i - bpp]) & 0xFF
        elif kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prev))
        elif kind == 3:
            for i in range(row_bytes):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(row_bytes):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif kind != 0:
            raise ValueError(f"unknown PNG filter {kind}")
        rows.append(row)
        prev = row
    return rows, pos


def _samples(row, width, depth, channels):
    """The row's samples scaled to 0..255."""
    count = width * channels
    if depth == 8:
        return list(row[:count])
    if depth == 16:
        return [row[2 * i] for i in range(count)]
    per_byte = 8 // depth
    mask = (1 << depth) - 1
    out = []
    for byte in row:
        for shift in range(8 - depth, -1, -depth):
            out.append((byte >> shift) & mask)
            if len(out) == count:
                return out
    return out[:count]


def decode_png(body):
    """Returns (width, height, rgb bytes) of a PNG; raises ValueError when it is not one this can read."""
    if body[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, palette, trns = 8, [], None, None
    header = None
    while pos + 8 <= len(body):
        length, kind = struct.unpack(">I4s", body[pos:pos + 8])
        chunk = body[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"PLTE":
            palette = chunk
        elif kind == b"tRNS":
            trns = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, ctype, _, _, interlace = header
    if ctype not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or width == 0 or height == 0:
        raise ValueError("unsupported PNG")
    data = zlib.decompress(b"".join(idat))
    channels = _CHANNELS[ctype]
    bpp = max(1, channels * depth // 8)
    if interlace:
        grid = [[None] * width for _ in range(height)]
        p = 0
        for x0, y0, dx, dy in _ADAM7:
            w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
            if w <= 0 or h <= 0:
                continue
            rows, p = _unfilter(data, w, h, bpp, (w * channels * depth + 7) // 8, p)
            for j, row in enumerate(rows):
                s = _samples(row, w, depth, channels)
                for i in range(w):
                    grid[y0 + j * dy][x0 + i * dx] = s[i * channels:(i + 1) * channels]
        pixels = [v for line in grid for px in line for v in px]
    else:
        rows, _ = _unfilter(data, width, height, bpp, (width * channels * depth + 7) // 8, 0)
        pixels = [v for row in rows for v in _samples(row, width, depth, channels)]
    scale = 255 // ((1 << min(depth, 8)) - 1) if ctype in (0, 4) and depth < 8 else 1
    out = bytearray(width * height * 3)
    for k in range(width * height):
        px = pixels[k * channels:(k + 1) * channels]
        alpha = 255
        if ctype == 3:
            index = px[0]
            r, g, b = palette[3 * index:3 * index + 3] if palette and 3 * index + 3 <= len(palette) else (0, 0, 0)
            if trns and index < len(trns):
                alpha = trns[index]
        elif ctype in (0, 4):
            r = g = b = px[0] * scale
            if ctype == 4:
                alpha = px[1]
        else:
            r, g, b = px[0], px[1], px[2]
            if ctype == 6:
                alpha = px[3]
        if alpha != 255:
            r, g, b = ((c * alpha + 255 * (255 - alpha)) // 255 for c in (r, g, b))
        out[3 * k:3 * k + 3] = bytes((r, g, b))
    return width, height, bytes(out)


# ---------------------------------------------------------------------------------------------------------------
# Baseline JPEG encoding (ITU T.81): YCbCr 4:2:0, the Annex K quantisation and Huffman tables.

_ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
           14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
           53, 60, 61, 54, 47, 55, 62, 63]
_Q_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
           29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
           121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
_Q_CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66,
             99, 99, 99, 99, 99, 99] + [99] * 32
# (bits per code length 1..16, symbols) of the four Annex K.3 tables.
_DC_LUMA = ([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(12)))
_DC_CHROMA = ([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], list(range(12)))
_AC_LUMA = ([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D], bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738"
    "393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5"
    "a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"))
_AC_CHROMA = ([0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], bytes.fromhex(
    "000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738"
    "393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4"
    "a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa"))
_COS = [[(math.sqrt(0.125) if u == 0 else 0.5) * math.cos((2 * x + 1) * u * math.pi / 16) for x in range(8)]
        for u in range(8)]


def _scaled(table, quality):
    factor = 5000 / quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, (q * factor + 50) // 100)) for q in table]


def _huffman(spec):
    """{symbol: (code, length)} from a (counts, symbols) table spec."""
    counts, symbols = spec
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            codes[symbols[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


class _Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, code, length):
        self.acc = (self.acc << length) | code
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)  # byte stuffing
        self.acc &= (1 << self.n) - 1

    def flush(self):
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)


def _category(value):
    magnitude = abs(value)
    size = magnitude.bit_length()
    return size, (value if value >= 0 else value + (1 << size) - 1)


def _encode_block(block, quant, dc_prev, dc_codes, ac_codes, bits):
    """DCT, quantisation and Huffman coding of one 8x8 block (values centred on 0); returns its DC value."""
    rows = [[sum(c * v for c, v in zip(cu, block[8 * y:8 * y + 8])) for cu in _COS] for y in range(8)]
    coef = [0] * 64
    for u in range(8):
        for v in range(8):
            cv = _COS[v]
            s = cv[0] * rows[0][u] + cv[1] * rows[1][u] + cv[2] * rows[2][u] + cv[3] * rows[3][u] + \
                cv[4] * rows[4][u] + cv[5] * rows[5][u] + cv[6] * rows[6][u] + cv[7] * rows[7][u]
            coef[8 * v + u] = int(round(s / quant[8 * v + u]))
    zz = [coef[i] for i in _ZIGZAG]
    size, amp = _category(zz[0] - dc_prev)
    bits.put(*dc_codes[size])
    if size:
        bits.put(amp, size)
    run = 0
    for k in range(1, 64):
        value = zz[k]
        if value == 0:
            run += 1
            continue
        while run > 15:
            bits.put(*ac_codes[0xF0])
            run -= 16
        size, amp = _category(value)
        bits.put(*ac_codes[(run << 4) | size])
        bits.put(amp, size)
        run = 0
    if run:
        bits.put(*ac_codes[0x00])
    return zz[0]


def encode_jpeg(width, height, rgb, quality=90):
    """A baseline JFIF JPEG of `width` x `height` RGB bytes."""
    ql, qc = _scaled(_Q_LUMA, quality), _scaled(_Q_CHROMA, quality)
    luma = [0.0] * (width * height)
    cb = [0.0] * (width * height)
    cr = [0.0] * (width * height)
    for k in range(width * height):
        r, g, b = rgb[3 * k], rgb[3 * k + 1], rgb[3 * k + 2]
        luma[k] = 0.299 * r + 0.587 * g + 0.114 * b - 128
        cb[k] = -0.168736 * r - 0.331264 * g + 0.5 * b
        cr[k] = 0.5 * r - 0.418688 * g - 0.081312 * b
    codes = (_huffman(_DC_LUMA), _huffman(_AC_LUMA), _huffman(_DC_CHROMA), _huffman(_AC_CHROMA))
    bits = _Bits()
    prev = [0, 0, 0]

    def at(plane, x, y):
        return plane[min(y, height - 1) * width + min(x, width - 1)]

    for my in range(0, height, 16):
        for mx in range(0, width, 16):
            for by, bx in ((0, 0), (0, 8), (8, 0), (8, 8)):
                block = [at(luma, mx + bx + i, my + by + j) for j in range(8) for i in range(8)]
                prev[0] = _encode_block(block, ql, prev[0], codes[0], codes[1], bits)
            for c, plane in ((1, cb), (2, cr)):
                block = [(at(plane, mx + 2 * i, my + 2 * j) + at(plane, mx + 2 * i + 1, my + 2 * j) +
                          at(plane, mx + 2 * i, my + 2 * j + 1) + at(plane, mx + 2 * i + 1, my + 2 * j + 1)) / 4
                         for j in range(8) for i in range(8)]
                prev[c] = _encode_block(block, qc, prev[c], codes[2], codes[3], bits)
    bits.flush()

    def segment(marker, payload):
        return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload

    out = bytearray(b"\xff\xd8")
    out += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += segment(0xDB, b"\x00" + bytes(ql[i] for i in _ZIGZAG) + b"\x01" + bytes(qc[i] for i in _ZIGZAG))
    out += segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01")
    for cls_id, spec in ((0x00, _DC_LUMA), (0x10, _AC_LUMA), (0x01, _DC_CHROMA), (0x11, _AC_CHROMA)):
        out += segment(0xC4, bytes([cls_id]) + bytes(spec[0]) + bytes(spec[1]))
    out += segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    out += bits.out
    out += b"\xff\xd9"
    return bytes(out)


_converted = collections.OrderedDict()  # sha256 of a PNG -> its JPEG; clients resend the same photo often
_converted_lock = threading.Lock()


def png_to_jpeg(body):
    """The JPEG Graph would hold for a PNG upload: same size, alpha composited over white."""
    key = hashlib.sha256(body).digest()
    with _converted_lock:
        if key in _converted:
            _converted.move_to_end(key)
            return _converted[key]
    width, height, rgb = decode_png(body)
    jpeg = encode_jpeg(width, height, rgb)
    with _converted_lock:
        _converted[key] = jpeg
        while len(_converted) > 64:
            _converted.popitem(last=False)
    return jpeg
