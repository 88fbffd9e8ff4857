"""Key material, all through the `openssl` command: the RS256 token-signing key and its JWKS, the throwaway TLS
certificate authority, and signature checks of certificate-signed client assertions."""

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


class SigningKey:
    """The emulator's RS256 key for access and id tokens, with a self-signed certificate for the JWKS `x5c`.

    Made in a background thread at start (an RSA key takes about a tenth of a second), so the banner is not delayed;
    the first signature waits for it.
    """

    def __init__(self, folder):
        self.folder = folder
        self.ready = threading.Event()
        self.error = None
        self.kid = self.jwk = None
        threading.Thread(target=self._make, name="signing-key", daemon=True).start()

    def _make(self):
        try:
            key, cert = os.path.join(self.folder, "signing.key"), os.path.join(self.folder, "signing.pem")
            openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                     "-subj", "/CN=graph-emulator token signing"])
            with open(cert, "rb") as f:
                der = pem_der(f.read())
            modulus = openssl(["rsa", "-in", key, "-noout", "-modulus"]).decode().strip().split("=", 1)[1]
            self.key_path = key
            self.pub_path = os.path.join(self.folder, "signing.pub")
            openssl(["rsa", "-in", key, "-pubout", "-out", self.pub_path])
            # Entra's kid is the certificate's SHA-1 thumbprint, base64url, the same as its x5t.
            self.kid = b64url(hashlib.sha1(der).digest())
            self.jwk = {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid,
                        "n": b64url(bytes.fromhex(modulus)), "e": "AQAB",
                        "x5c": [base64.b64encode(der).decode("ascii")]}
        except (OSError, OpenSSLError) as e:
            self.error = e
        finally:
            self.ready.set()

    def wait(self):
        self.ready.wait()
        if self.error:
            raise self.error

    def sign(self, data):
        self.wait()
        return openssl(["dgst", "-sha256", "-sign", self.key_path], data)

    def verify(self, data, signature):
        self.wait()
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
