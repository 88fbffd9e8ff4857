"""Resolving Graph paths and checking JSON properties against Graph's published metadata (../shared/graph).

v1.0 comes from the CSDL (`v1.0-metadata.xml`): entity sets and singletons, entity types with their base types,
properties, navigation properties (with their types) and `HasStream`. For beta only each type's property and
navigation-property names are published (`beta-entity-types.json`), so beta paths resolve with these rules: the first
segment must be a v1.0 entity set or singleton; a navigation property must be listed for the beta type (or a base
type, taken from v1.0); its type is the v1.0 navigation's type, else the beta type of the same name (singular for a
collection), else the path does not resolve; `$value` needs `HasStream` in v1.0, and a beta type's base is its v1.0
base (entity for a type v1.0 does not have).
"""

import json
import os
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
ENTITY = "microsoft.graph.entity"
KEY_FORM = re.compile(r"([^()]+)\((.*)\)")


def default_folder():
    """$PHOTOPROV_GRAPH_METADATA, else ../shared/graph beside the checkout."""
    env = os.environ.get("PHOTOPROV_GRAPH_METADATA")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "graph"))


class Type:
    __slots__ = ("name", "base", "props", "navs", "stream")

    def __init__(self, name, base=None):
        self.name, self.base = name, base
        self.props, self.navs, self.stream = set(), {}, False  # navs: name -> (type name, is collection)


class Metadata:
    def __init__(self, folder=None):
        folder = folder or default_folder()
        self.folder = folder
        self.v1 = {}  # qualified name -> Type
        self.containers = {}  # entity set or singleton name -> (type name, is a set)
        self._read_csdl(os.path.join(folder, "v1.0-metadata.xml"))
        with open(os.path.join(folder, "beta-entity-types.json"), encoding="utf-8") as f:
            beta = json.load(f)
        self.beta = {}  # qualified name -> (property names, navigation names)
        for namespace, types in beta.items():
            for name, spec in types.items():
                self.beta[f"{namespace}.{name}"] = (set(spec.get("properties", [])),
                                                    set(spec.get("navigationProperties", [])))
        self._beta_lower = {k.lower(): k for k in self.beta}

    def _read_csdl(self, path):
        root = ET.parse(path).getroot()
        schemas = list(root.iter(EDM + "Schema"))
        aliases = {s.get("Alias"): s.get("Namespace") for s in schemas if s.get("Alias")}

        def qualify(ref, namespace, alias):
            if not ref:
                return None
            collection = ref.startswith("Collection(")
            if collection:
                ref = ref[len("Collection("):-1]
            prefix, _, name = ref.rpartition(".")
            if prefix == alias:
                prefix = namespace
            else:
                prefix = aliases.get(prefix, prefix)
            return f"{prefix}.{name}", collection

        for schema in schemas:
            namespace, alias = schema.get("Namespace"), schema.get("Alias")
            for node in schema:
                if node.tag not in (EDM + "EntityType", EDM + "ComplexType"):
                    continue
                base = qualify(node.get("BaseType"), namespace, alias)
                t = Type(f"{namespace}.{node.get('Name')}", base[0] if base else None)
                t.stream = node.get("HasStream") == "true"
                for child in node:
                    if child.tag == EDM + "Property":
                        t.props.add(child.get("Name"))
                    elif child.tag == EDM + "NavigationProperty":
                        t.navs[child.get("Name")] = qualify(child.get("Type"), namespace, alias)
                self.v1[t.name] = t
            for container in schema.iter(EDM + "EntityContainer"):
                for node in container:
                    if node.tag == EDM + "EntitySet":
                        self.containers[node.get("Name")] = (qualify(node.get("EntityType"), namespace, alias)[0],
                                                             True)
                    elif node.tag == EDM + "Singleton":
                        self.containers[node.get("Name")] = (qualify(node.get("Type"), namespace, alias)[0], False)

    # -- types ---------------------------------------------------------------------------------------------------

    def chain(self, name):
        """`name` and its base types, most derived first (beta types v1.0 lacks: entity)."""
        out = []
        while name and name not in out:
            out.append(name)
            t = self.v1.get(name)
            name = t.base if t else (ENTITY if name != ENTITY else None)
        return out

    def declared(self, version, name):
        """(property names, navigation names) of `name` with its bases, or None when the metadata lacks the type."""
        props, navs, known = set(), set(), False
        for n in self.chain(name):
            if version == "beta":
                spec = self.beta.get(n)
                if spec:
                    known = True
                    props |= spec[0]
                    navs |= spec[1]
            else:
                t = self.v1.get(n)
                if t:
                    known = True
                    props |= t.props
                    navs |= set(t.navs)
        return (props, navs) if known else None

    def navigation(self, version, type_name, segment):
        """(type, is collection) of the navigation `segment` of `type_name`, or (None, reason)."""
        for n in self.chain(type_name):
            t = self.v1.get(n)
            for nav, target in (t.navs.items() if t else ()):
                if nav.lower() == segment.lower():
                    if version == "beta":
                        spec = self.beta.get(n)
                        if spec is not None and nav not in spec[1]:
                            continue
                    return target
        if version == "beta":
            for n in self.chain(type_name):
                spec = self.beta.get(n)
                names = {x.lower(): x for x in (spec[1] if spec else ())}
                if segment.lower() in names:
                    nav = names[segment.lower()]
                    namespace = n.rpartition(".")[0]
                    for guess, collection in ((nav, False), (nav[:-1], True)):
                        found = self._beta_lower.get(f"{namespace}.{guess}".lower())
                        if found:
                            return found, collection
                    return None, (f"beta lists navigation '{nav}' on {n}, but ../shared/graph does not give its "
                                  "type")
        return None, f"'{segment}' is not a navigation property of {type_name} ({version})"

    def has_stream(self, name):
        return any(self.v1.get(n) is not None and self.v1[n].stream for n in self.chain(name))

    # -- paths ---------------------------------------------------------------------------------------------------

    @staticmethod
    def split(path, version):
        """(version, segments) of a path or URL; the key form `users('x')` gives `users`, a key."""
        parts = urlsplit(path)
        path = parts.path if parts.scheme else path.split("?", 1)[0]
        segs = []
        for raw in path.split("/"):
            if not raw:
                continue
            m = KEY_FORM.fullmatch(raw)
            if m:
                segs += [(unquote(m.group(1)), False), (unquote(m.group(2)), True)]
            else:
                segs.append((unquote(raw), False))
        if segs and segs[0][0].lower() in ("v1.0", "beta"):
            version = segs[0][0].lower()
            segs = segs[1:]
        return version, segs

    def resolve(self, path, version="v1.0"):
        """(type name of what the path addresses, None) or (None, why it does not resolve)."""
        version, segs = self.split(path, version)
        if not segs:
            return None, "no resource segment"
        if len(segs) == 1 and segs[0][0].lower() in ("$batch", "%24batch"):
            return "$batch", None  # JSON batching: an OData protocol endpoint, not part of the CSDL
        first = segs[0][0]
        entry = next((v for k, v in self.containers.items() if k.lower() == first.lower()), None)
        if entry is None:
            return None, f"'{first}' is not an entity set or singleton (v1.0 CSDL)"
        type_name, collection = entry
        for i, (seg, keyed) in enumerate(segs[1:], start=1):
            if collection:
                if seg.startswith("$") and not keyed:
                    return None, f"'{seg}' after {first} is not a key"
                collection = False  # a key
                continue
            if keyed:
                return None, f"key '{seg}' after a single {type_name}"
            if seg.lower() == "$value":
                if i != len(segs) - 1:
                    return None, "$value must be the last segment"
                if not self.has_stream(type_name):
                    return None, f"{type_name} has no media stream ($value needs HasStream)"
                return type_name + "/$value", None
            target, detail = self.navigation(version, type_name, seg)  # detail: is a collection, or why not found
            if target is None:
                return None, detail
            type_name, collection = target, detail
            first = seg
        return type_name, None

    def unknown_properties(self, version, type_name, obj):
        """Names in the JSON object `obj` (annotations aside) that `type_name` does not declare."""
        declared = self.declared(version, type_name)
        if declared is None:
            return sorted(k for k in obj if "@" not in k)
        props, navs = declared
        return sorted(k for k in obj if "@" not in k and k not in props and k not in navs)
