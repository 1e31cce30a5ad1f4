#!/usr/bin/env python3
"""Writes a synthetic OSV database for benchmarks: ECOSYSTEM/all.zip under OUT.

The real npm archive cannot be downloaded here, so this builds one of the
same shape: about N advisories in the OSV schema, each with ranges, aliases,
a CVSS vector and a page of text, spread over the packages of the given
package-lock.json (so that some match, most do not) and many other names.

usage: osvgen.py PACKAGE_LOCK OUT [N]
"""
import json
import random
import sys
import zipfile

lock_path, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
rng = random.Random(42)

lock = json.load(open(lock_path))
installed = {}
for path, meta in lock.get("packages", {}).items():
    if not path or "version" not in meta:
        continue
    installed[path.split("node_modules/")[-1]] = meta["version"]

names = list(installed) + [f"pkg-{i:05d}" for i in range(n // 2)]
text = ("A crafted request can make the package read or write properties of "
        "objects it does not own, which may lead to denial of service or code "
        "execution depending on how the application uses it. ") * 6

def record(i, name):
    version = installed.get(name, "1.0.0")
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 1
    # A quarter of the advisories on installed packages affect the installed
    # version; the rest were fixed before it.
    affected = name in installed and rng.random() < 0.25
    fixed = f"{major + 1}.0.0" if affected else f"{max(major, 1)}.0.0-alpha.{rng.randint(0, 3)}"
    if not affected and major == 0:
        fixed = "0.0.1"
    ghsa = f"GHSA-{i:04x}-{rng.randint(0, 0xffff):04x}-{rng.randint(0, 0xffff):04x}"
    return {
        "schema_version": "1.6.0",
        "id": ghsa,
        "modified": "2026-11-01T00:00:00Z",
        "published": "2025-03-01T00:00:00Z",
        "aliases": [f"CVE-2025-{10000 + i}"],
        "summary": f"Prototype pollution in {name}",
        "details": text,
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{
            "package": {"ecosystem": "npm", "name": name, "purl": f"pkg:npm/{name}"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            "database_specific": {"source": "synthetic"},
        }],
        "references": [{"type": "ADVISORY", "url": f"https://example.invalid/advisories/{ghsa}"}],
        "database_specific": {"severity": "HIGH", "cwe_ids": ["CWE-1321"]},
    }

import os
os.makedirs(f"{out}/npm", exist_ok=True)
with zipfile.ZipFile(f"{out}/npm/all.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(n):
        name = names[i % len(names)] if i < len(installed) * 3 else rng.choice(names)
        rec = record(i, name)
        z.writestr(f"{rec['id']}.json", json.dumps(rec))
print(f"{out}/npm/all.zip: {n} advisories over {len(names)} names ({len(installed)} installed)")
