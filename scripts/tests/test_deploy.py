"""deploy/: the Kubernetes overlays render to valid manifests that keep the job's promises; the systemd pair verifies.

Optional tools, each test printing a `SKIP:` line without them: kubectl (or kustomize) to render the overlays,
kubernetes-validate from PyPI (`pip install -r requirements-dev.txt`; it brings PyYAML) to check them against the
Kubernetes schemas, systemd-analyze for the units.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KUBERNETES = os.path.join(ROOT, "deploy", "kubernetes")
SYSTEMD = os.path.join(ROOT, "deploy", "systemd")
IMAGE_UID = 10001  # packaging/build-image
# The oldest Kubernetes the manifests promise to work with (podFailurePolicy is GA from 1.31), and the newest known.
KUBERNETES_VERSIONS = ("1.31", None)
# Time the job needs after --max-duration: uploads in flight, the report, sign-in at the start.
DEADLINE_MARGIN_SECONDS = 300


def skip(test, reason):
    print(f"SKIP: {reason}")
    test.skipTest(reason)


def seconds(duration):
    """photoprov's --max-duration syntax (90s, 30m, 1h30m) in seconds."""
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration)
    if not parts or not any(parts.groups()):
        raise ValueError(f"not a duration: {duration!r}")
    hours, minutes, secs = (int(part or 0) for part in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def option(arguments, name):
    """The last value of `--name` in an argument list (photoprov takes the last one)."""
    values = [arguments[index + 1] for index, argument in enumerate(arguments[:-1]) if argument == name]
    return values[-1] if values else None


def documented_exit_codes():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}


def walk(value):
    """Every (key, value) pair in a nested manifest."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


class KubernetesOverlays(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.overlays = sorted(os.listdir(os.path.join(KUBERNETES, "overlays")))

    def assertConfigReadByPhotoprov(self, conf):
        """photoprov itself accepts every line of the tenant's config file (when a build of it is at hand)."""
        binary = next((path for path in (os.path.join(ROOT, ".build", kind, "photoprov") for kind in ("debug", "release"))
                       if os.access(path, os.X_OK)), None)
        if binary is None:
            print("SKIP: no built photoprov in .build/: the tenant's config file is not read by photoprov itself")
            return
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "photoprov.conf")
            with open(path, "w", encoding="utf-8") as file:
                file.write(conf)
            # The source does not exist here, so the run stops at it (exit 2); a bad line would stop it earlier,
            # with a message naming the config file.
            result = subprocess.run([binary, "upload", "--config", path, "--dry-run", "--offline",
                                     "--journal", os.path.join(folder, "j.journal")],
                                    capture_output=True, text=True, timeout=60)
        self.assertNotIn("--config", result.stderr, result.stderr)
        self.assertIn("/data/source", result.stderr, "photoprov read the source from the file")

    def render(self, overlay):
        try:
            import yaml
        except ImportError:
            skip(self, "PyYAML is not installed (pip install kubernetes-validate brings it)")
        path = os.path.join(KUBERNETES, "overlays", overlay)
        if shutil.which("kubectl"):
            command = ["kubectl", "kustomize", path]
        elif shutil.which("kustomize"):
            command = ["kustomize", "build", path]
        else:
            skip(self, "neither kubectl nor kustomize is installed to render deploy/kubernetes")
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, f"{' '.join(command)}: {result.stderr}")
        return [document for document in yaml.safe_load_all(result.stdout) if document]

    def test_every_overlay_is_valid_for_kubernetes(self):
        try:
            import kubernetes_validate
        except ImportError:
            skip(self, "kubernetes-validate is not installed (pip install kubernetes-validate)")
        latest = kubernetes_validate.latest_version()
        self.assertGreaterEqual(len(self.overlays), 2, "one overlay per tenant, at least two to show the pattern")
        for overlay in self.overlays:
            for document in self.render(overlay):
                for version in KUBERNETES_VERSIONS:
                    with self.subTest(overlay=overlay, kind=document["kind"], version=version or latest):
                        kubernetes_validate.validate(document, version or latest, strict=True)

    def test_validation_catches_a_broken_manifest(self):
        """kubernetes-validate, as used above, refuses what the API server would."""
        try:
            import kubernetes_validate
        except ImportError:
            skip(self, "kubernetes-validate is not installed (pip install kubernetes-validate)")
        cronjob = next(d for d in self.render(self.overlays[0]) if d["kind"] == "CronJob")
        cronjob["spec"]["concurrencyPolicy"] = ["Forbid"]
        with self.assertRaises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(cronjob, "1.31", strict=True)

    def test_each_tenant_job_keeps_the_promises(self):
        codes = documented_exit_codes()
        self.assertTrue({0, 1, 2, 3, 4, 130} <= codes, f"README's exit codes table reads as {codes}")
        names = set()
        for overlay in self.overlays:
            with self.subTest(overlay=overlay):
                documents = self.render(overlay)
                kinds = {(d["kind"], d["metadata"]["name"]): d for d in documents}
                self.assertNotIn("Secret", {kind for kind, _ in kinds}, "no secret is stored")
                for key, _ in walk(documents):
                    self.assertNotIn(key, ("secretKeyRef", "secretRef", "secret"), "nothing reads a Secret")
                cronjobs = [d for d in documents if d["kind"] == "CronJob"]
                self.assertEqual(len(cronjobs), 1, "one CronJob per tenant")
                cronjob = cronjobs[0]
                names.add(cronjob["metadata"]["name"])
                self.assertEqual(cronjob["spec"]["concurrencyPolicy"], "Forbid")
                job = cronjob["spec"]["jobTemplate"]["spec"]
                pod = job["template"]["spec"]
                self.assertEqual(pod["restartPolicy"], "Never", "podFailurePolicy needs restartPolicy Never")
                container = pod["containers"][0]
                arguments = container["command"] + container.get("args", [])
                self.assertEqual(arguments[:2], ["/usr/bin/photoprov", "upload"])
                self.assertEqual(option(arguments, "--log-format"), "json")
                self.assertEqual(option(arguments, "--auth"), "federated")
                duration = seconds(option(arguments, "--max-duration"))
                self.assertLessEqual(duration + DEADLINE_MARGIN_SECONDS, job["activeDeadlineSeconds"],
                                     "--max-duration must end well inside activeDeadlineSeconds")
                # The tenant's options: its photoprov.conf, mounted where the command's --config reads it.
                config = option(arguments, "--config")
                mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
                volumes = {volume["name"]: volume for volume in pod["volumes"]}
                options_mount = next(m for m in mounts.values() if m["mountPath"] == os.path.dirname(config))
                options_map = kinds[("ConfigMap", volumes[options_mount["name"]]["configMap"]["name"])]["data"]
                conf = options_map[os.path.basename(config)]
                keys = {line.split("=", 1)[0].strip() for line in conf.splitlines()
                        if line.strip() and not line.lstrip().startswith("#")}
                self.assertTrue({"csv", "dir"} & keys, "the tenant names a source")
                self.assertFalse({"journal", "report", "max-duration", "log-format", "auth"} & keys,
                                 "the base's own options are not repeated in the tenant's file (the command wins)")
                self.assertConfigReadByPhotoprov(conf)

                # Sign-in: workload identity federation through a projected service-account token.
                environment = {item["name"]: item.get("value") for item in container.get("env", [])}
                token_file = environment["AZURE_FEDERATED_TOKEN_FILE"]
                token_mount = next(m for m in mounts.values() if m["mountPath"] == os.path.dirname(token_file))
                source = volumes[token_mount["name"]]["projected"]["sources"][0]["serviceAccountToken"]
                self.assertEqual(source["audience"], "api://AzureADTokenExchange")
                self.assertEqual(source["path"], os.path.basename(token_file))
                self.assertIn(("ServiceAccount", pod["serviceAccountName"]), kinds)
                identity = kinds[("ConfigMap", container["envFrom"][0]["configMapRef"]["name"])]["data"]
                self.assertRegex(identity["AZURE_CLIENT_ID"], r"^[0-9a-f-]{36}$", "the overlay sets its app's id")
                self.assertNotIn("set-by-the-overlay", identity["AZURE_TENANT_ID"])

                # The journal and reports on the tenant's own PersistentVolumeClaim.
                journal = option(arguments, "--journal")
                data_mount = next(m for m in mounts.values() if journal.startswith(m["mountPath"] + "/"))
                claim = volumes[data_mount["name"]]["persistentVolumeClaim"]["claimName"]
                self.assertIn(("PersistentVolumeClaim", claim), kinds)
                self.assertTrue(option(arguments, "--report").startswith(data_mount["mountPath"] + "/"))

                # Non-root, as the image's user.
                security = pod["securityContext"]
                self.assertTrue(security["runAsNonRoot"])
                self.assertEqual(security["runAsUser"], IMAGE_UID)
                self.assertFalse(container["securityContext"]["allowPrivilegeEscalation"])

                # Every documented exit code but 0 has its job outcome in the one podFailurePolicy.
                mapped = {}
                for rule in job["podFailurePolicy"]["rules"]:
                    for code in rule.get("onExitCodes", {}).get("values", []):
                        self.assertNotIn(code, mapped, f"exit code {code} mapped twice")
                        mapped[code] = rule["action"]
                self.assertEqual(set(mapped), codes - {0}, "README's exit codes and the podFailurePolicy differ")
                self.assertEqual(mapped[2], "FailJob", "bad arguments are not retried")
                self.assertEqual(mapped[130], "Count", "an interrupted run is retried and resumes")
        self.assertEqual(len(names), len(self.overlays), "each tenant's CronJob has its own name")


class SystemdUnits(unittest.TestCase):
    def units(self, folder):
        """The unit pair as an instance, with ExecStart pointing at a binary that exists here."""
        paths = []
        for suffix in ("service", "timer"):
            with open(os.path.join(SYSTEMD, f"photoprov@.{suffix}"), encoding="utf-8") as file:
                text = file.read().replace("/usr/bin/photoprov", "/bin/true")
            path = os.path.join(folder, f"photoprov@test.{suffix}")
            with open(path, "w", encoding="utf-8") as file:
                file.write(text)
            paths.append(path)
        return paths

    def setUp(self):
        if not shutil.which("systemd-analyze"):
            skip(self, "systemd-analyze is not installed")
        self.folder = tempfile.mkdtemp(prefix="photoprov-systemd.")
        self.addCleanup(shutil.rmtree, self.folder)

    def test_units_verify(self):
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", *self.units(self.folder)],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr.strip(), "", "systemd-analyze verify has complaints")

    def test_verify_refuses_a_broken_unit(self):
        service, timer = self.units(self.folder)
        with open(service, "a", encoding="utf-8") as file:
            file.write("ExecStart=relative/path\n")
        result = subprocess.run(["systemd-analyze", "verify", "--man=no", service, timer],
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.stderr.strip(), "")

    def test_service_is_hardened(self):
        service, _ = self.units(self.folder)
        result = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20", service],
                                capture_output=True, text=True, timeout=60)
        overall = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
        self.assertIsNotNone(overall, result.stdout + result.stderr)
        self.assertEqual(result.returncode, 0, f"exposure {overall.group(1)} is above 2.0")
        with open(service, encoding="utf-8") as file:
            text = file.read()
        for setting in ("DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=photoprov/%i", "NoNewPrivileges=yes"):
            self.assertIn(f"\n{setting}\n", text)

    def test_max_duration_ends_inside_the_start_timeout(self):
        with open(os.path.join(SYSTEMD, "photoprov@.service"), encoding="utf-8") as file:
            text = file.read().replace("\\\n", " ")
        command = re.search(r"^ExecStart=(.*)$", text, re.M).group(1).split()
        timeout = re.search(r"^TimeoutStartSec=(\S+)$", text, re.M).group(1)
        self.assertLessEqual(seconds(option(command, "--max-duration")) + DEADLINE_MARGIN_SECONDS, seconds(timeout))


if __name__ == "__main__":
    unittest.main()
