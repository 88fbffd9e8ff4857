"""Key material: the RS256 token-signing key and its JWKS, and, through the `openssl` command, signatures, the
throwaway TLS certificate authority, and checks of certificate-signed client assertions."""

import base64
import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile
import threading

from .common import b64url


class OpenSSLError(Exception):
    pass


def openssl(args, data=None, cwd=None):
    proc = subprocess.run(["openssl", *args], input=data, capture_output=True, cwd=cwd)
    if proc.returncode != 0:
        raise OpenSSLError(f"openssl {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def pem_der(pem):
    body = pem.split(b"-----")[2]
    return base64.b64decode(b"".join(body.split()))


# The token-signing key: a published test key, not a secret (like the HS256 test key), so that every emulator
# starts without making an RSA key and all of them sign alike. RS256, 2048 bits, certificate valid to 2126.
SIGNING_KEY_PEM = """-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCwrifXg8dxB5uT
BoRaC6yCahzkGjNUOF3W0kCIE/f8nK7MJH43hn1c56ZfSunxgaRZ8tKRErLijN7L
4J544FWhhJjp2TXbInOrL4Na3gBCF3oiSQEJzd3skwYI0o6GSw7jE3/Wd8fubLkt
6oiNtfhVy1FcKXEBpX9TQ/JO40EJHYWpSY+9djihPEfkbBGv1yv4QWx5L165em5/
1u5PPP1iAjNfnElKkFckP5hIqVxkGsXClaTX01BQQx7VZvZkfIdFCG8RQX5LZuFr
lz4kBHRkSAIELoszzc2BZppCjXwZaMtxRX+WNLanNyoPEAup+p43yoDtB9CFVY90
US0N4joDAgMBAAECggEADJ7sLqt1sD/MX7TL+Iiz8n71AGBUwVPjdCiBvpa6lLt2
ixOiRoIfa2cKzezSiFNr85bybrWIvME2Wxb5CwZvZ4HK0I2ZGMW9wIE8311TZGU7
7r4LSnF/xFn+SNwNnU84SYVHkQDucbwngD2sMn9ItYw4DB7TuTvivAZzBSqbpzRr
va+YyvR1nseaHrT5B6/VBS2eoXxCIODCIJgKAhMsn/0egLZFq/apY2LffJw6xhLF
vVTucI/scsO4dkjzdX/8mnrrlxZsBPoFZpPLASaa3Br59l017cDzAxUdDR6Ol7DM
Vg9wdgECVLDB9h3G4gKzfduarSio1/2clbDHF8g1wQKBgQDgclodK7Sx1m7xZruX
jNbcCufSrtp8QrM/q5E1nifJsUFm8pOy3v4QA4MiA0L3ay25+6uK1Pl0A2D0k4F7
MtmCkH9z719F9TgLR6f+ZhrsZIngvyv4DGm+GoZjwnhaV/64wOMoZRS0itEL3223
NJdomPeF7f6Jp9rlqnq9SlzAQwKBgQDJhLsy40ZnJRJ2i7znk6EK443VcbIrDHPY
Ygefefq5aNvJBHbH5U47iErIRQhfbssZDzJLzPfTkWt2Z1T3meS9+WFN7CgZeTSV
vtCDMmG5gNTm4GIeMCyYw7+kQ63LzqBYQQGoyFN5a0ZWrkuFKml/d45n2zpF32VA
JquMoh7jQQKBgQCrkZ4i6FLzEliyPXaurWFcyRVWroSjMhV1WT/h/aiqe83j1RBk
TiNluFmYOWgKW6qTnbcOpCifrymBK/RxaXhtXumehN+OSZnyvW7Ef+aax2vCGkCR
F2QJhpsuTOzVGqjDL+c07Le8HtUXv05OGmyW7z9e6IOHVIF2yC+U3PAzowKBgQC6
xwpW/S441bSKKbR6E2v1UroYNlxD6DPLP/j+yCkqBlWHuFp7pj5fkVB21P0QrvkR
jfM5LI4bCzLGOLoZEAtiRSz580OrcJrbnFNY9q57KDysjRaEEnSTVwNeNdh1CVu2
0PG/xYURCevU1ZFrqMbFfUOBYUFel9MZpX3lSDJGwQKBgQCWs5QJgZmINcf5GUBO
MfWvg4ICdKk/Xv0EcUDY0sYv/H+vqHoEZ+nxlT/VP+/JXLrYuX3ZB5GjwjDXTi6p
djWlSapsHpnXV1nJ6BPgA6C5eRsjeCUJlZ+OuWR7PjfgDvVC4W+Bd3XEcKrKGzWp
9qYPs73oMbE0gvy9JGjXltXC9w==
-----END PRIVATE KEY-----
"""
SIGNING_CERT_PEM = """-----BEGIN CERTIFICATE-----
MIIDSzCCAjOgAwIBAgIUZDkIyGUQhjdKZ28xRPiGb9Fc2Z8wDQYJKoZIhvcNAQEL
BQAwNDEyMDAGA1UEAwwpZ3JhcGgtZW11bGF0b3IgcHVibGlzaGVkIHRlc3Qgc2ln
bmluZyBrZXkwIBcNMjYxMjAxMTEyMzQ3WhgPMjEyNjExMDcxMTIzNDdaMDQxMjAw
BgNVBAMMKWdyYXBoLWVtdWxhdG9yIHB1Ymxpc2hlZCB0ZXN0IHNpZ25pbmcga2V5
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsK4n14PHcQebkwaEWgus
gmoc5BozVDhd1tJAiBP3/JyuzCR+N4Z9XOemX0rp8YGkWfLSkRKy4ozey+CeeOBV
oYSY6dk12yJzqy+DWt4AQhd6IkkBCc3d7JMGCNKOhksO4xN/1nfH7my5LeqIjbX4
VctRXClxAaV/U0PyTuNBCR2FqUmPvXY4oTxH5GwRr9cr+EFseS9euXpuf9buTzz9
YgIzX5xJSpBXJD+YSKlcZBrFwpWk19NQUEMe1Wb2ZHyHRQhvEUF+S2bha5c+JAR0
ZEgCBC6LM83NgWaaQo18GWjLcUV/ljS2pzcqDxALqfqeN8qA7QfQhVWPdFEtDeI6
AwIDAQABo1MwUTAdBgNVHQ4EFgQUqkRlJYDI8GfotS4PXtEOyd1DKlEwHwYDVR0j
BBgwFoAUqkRlJYDI8GfotS4PXtEOyd1DKlEwDwYDVR0TAQH/BAUwAwEB/zANBgkq
hkiG9w0BAQsFAAOCAQEAJLLcuBlEKmI/z3t+bJLNY+4PLDrz2lrv7lYOv27eZ/cN
Eh2zbo2++dlW0LgV5mP17PTFJRw/bVv07nXHCxKNW/PI7XcCa8s0/jEiE4MsoJDA
6+QUxJ0fAyMkvf63WG3ohQWFgaeKTNILjT/ubb8ie/LA7vgwJtCuWQVD2wnyd9Uy
/sRIdLQ2eKaf8Sw0lXyaFXeI2qcOb0NXr5bIT7qS+cBW/UQWyZ/V3Jzet+/eGY1I
rbSe8xtl5zver9HX2n+iDGbz0FbWSYkQ+uMFoxygjb9VPHQZGXeY1SI5ML4ff0fZ
nZpee/Vw51Jwf3IQFeqwBzxegwW4Mc52i1TJf9Fe1w==
-----END CERTIFICATE-----
"""
SIGNING_KEY_N = (  # the modulus, base64url (the JWKS `n`); test_emulator_tls checks it against the certificate
     "sK4n14PHcQebkwaEWgusgmoc5BozVDhd1tJAiBP3_JyuzCR-N4Z9XOemX0rp8YGkWfLSkRKy4ozey-CeeOBVoYSY6dk12yJzqy-D"
     "Wt4AQhd6IkkBCc3d7JMGCNKOhksO4xN_1nfH7my5LeqIjbX4VctRXClxAaV_U0PyTuNBCR2FqUmPvXY4oTxH5GwRr9cr-EFseS9e"
     "uXpuf9buTzz9YgIzX5xJSpBXJD-YSKlcZBrFwpWk19NQUEMe1Wb2ZHyHRQhvEUF-S2bha5c-JAR0ZEgCBC6LM83NgWaaQo18GWjL"
     "cUV_ljS2pzcqDxALqfqeN8qA7QfQhVWPdFEtDeI6Aw")


class SigningKey:
    """The emulator's RS256 key for access and id tokens, and its JWKS entry (`kid` = `x5t`, `n`, `e`, `x5c`)."""

    def __init__(self, folder):
        self.folder = folder
        self.key_path = os.path.join(folder, "signing.key")
        fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(SIGNING_KEY_PEM)
        self.pub_path = None
        self.lock = threading.Lock()
        der = pem_der(SIGNING_CERT_PEM.encode())
        # Entra's kid is the certificate's SHA-1 thumbprint, base64url, the same as its x5t.
        self.kid = b64url(hashlib.sha1(der).digest())
        self.jwk = {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": SIGNING_KEY_N, "e": "AQAB",
                    "x5c": [base64.b64encode(der).decode("ascii")]}

    def sign(self, data):
        return openssl(["dgst", "-sha256", "-sign", self.key_path], data)

    def verify(self, data, signature):
        with self.lock:
            if self.pub_path is None:
                self.pub_path = public_key_file(SIGNING_CERT_PEM, self.folder)
        return verify(self.pub_path, "RS256", data, signature, self.folder)


def verify(pubkey_path, alg, data, signature, folder):
    """Whether `signature` is a valid RS256 or PS256 (salt = hash length) signature of `data`."""
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".sig") as sig:
        sig.write(signature)
        sig.flush()
        cmd = ["openssl", "dgst", "-sha256", "-verify", pubkey_path, "-signature", sig.name]
        if alg == "PS256":
            cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
        return subprocess.run(cmd, input=data, capture_output=True).returncode == 0


def public_key_file(cert_pem, folder):
    """Writes the public key of a PEM certificate to a file in `folder` and returns its path."""
    pub = openssl(["x509", "-pubkey", "-noout"], cert_pem.encode())
    fd, path = tempfile.mkstemp(dir=folder, suffix=".pub")
    with os.fdopen(fd, "wb") as f:
        f.write(pub)
    return path


def make_tls(folder):
    """A throwaway CA (`ca.pem`) and a server certificate for 127.0.0.1 and localhost signed by it, in `folder`;
    returns (server ssl.SSLContext, path of ca.pem). EC P-256 keys: quick to make."""
    os.makedirs(folder, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(["req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=graph-emulator throwaway CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            cwd=folder)
    openssl(["req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], cwd=folder)
    with open(os.path.join(folder, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
             str(int.from_bytes(os.urandom(8), "big")), "-days", "2", "-extfile", "server.ext", "-out", "server.pem"],
            cwd=folder)
    for name in ("ca.key", "server.csr", "server.ext"):
        os.unlink(os.path.join(folder, name))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(folder, "server.pem"), os.path.join(folder, "server.key"))
    return context, os.path.join(folder, "ca.pem")


class Workdir:
    """A private temporary folder for keys, removed on close."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="graph-emulator-")

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)
