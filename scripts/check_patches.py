#!/usr/bin/env python3
"""The fork shows its diff: compares each crate under `patches/` with the same crate as
published on crates.io, and fails when a file differs (or exists on one side only) that
`patches/README.md` does not name in that crate's section.

The published crate is fetched like any dependency (`cargo fetch` of a throw-away manifest
without the `[patch]`), then read from cargo's download cache: nothing is built.

    python3 scripts/check_patches.py            # the check (the test command runs it)
    python3 scripts/check_patches.py --diff     # and the whole diff, as `diff -u`
    python3 scripts/check_patches.py --diff src/wrapper/clap/wrapper.rs   # one file's
"""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Written by cargo when it packages a crate, not part of what the crate's author wrote.
PACKAGING = {".cargo_vcs_info.json"}


def patched_crates(patches):
    """(name, version, folder) of each crate under patches/."""
    out = []
    for folder in sorted(os.listdir(patches)):
        manifest = os.path.join(patches, folder, "Cargo.toml")
        if os.path.isfile(manifest):
            with open(manifest, "rb") as f:
                package = tomllib.load(f)["package"]
            out.append((package["name"], package["version"], os.path.join(patches, folder)))
    return out


def published(crates):
    """{name: {path: bytes}} of the published crates, from cargo's cache (fetched if missing)."""
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    cached = lambda name, version: glob.glob(os.path.join(cargo_home, "registry", "cache", "*", f"{name}-{version}.crate"))
    if any(not cached(n, v) for n, v, _ in crates):
        with tempfile.TemporaryDirectory() as tmp:
            deps = "\n".join(f'{n} = "={v}"' for n, v, _ in crates)
            with open(os.path.join(tmp, "Cargo.toml"), "w") as f:
                f.write(f'[package]\nname = "pristine"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n{deps}\n\n[workspace]\n')
            os.mkdir(os.path.join(tmp, "src"))
            open(os.path.join(tmp, "src", "lib.rs"), "w").close()
            run = subprocess.run(["cargo", "fetch", "--manifest-path", os.path.join(tmp, "Cargo.toml")], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"could not fetch the published crates:\n{run.stderr[-2000:]}")
    out = {}
    for name, version, _ in crates:
        paths = cached(name, version)
        if not paths:
            sys.exit(f"{name} {version}: not in cargo's cache after `cargo fetch`")
        files = {}
        with tarfile.open(paths[0], "r:gz") as tar:
            prefix = f"{name}-{version}/"
            for member in tar.getmembers():
                if member.isfile() and member.name.startswith(prefix):
                    files[member.name[len(prefix):]] = tar.extractfile(member).read()
        out[name] = files
    return out


def local(folder):
    files = {}
    for base, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "target"]
        for n in names:
            path = os.path.join(base, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, folder)] = f.read()
    return files


def sections(readme):
    """{crate name: the text of its `## name version` section} of patches/README.md."""
    out, name = {}, None
    for line in readme.splitlines():
        m = re.match(r"## (\S+) \S+$", line)
        if m:
            name = m[1]
            out[name] = ""
        elif name:
            out[name] += line + "\n"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--diff", nargs="*", metavar="FILE", help="print the diff (of these crate-relative files only, if given)")
    ap.add_argument("--patches", default=os.path.join(ROOT, "patches"), help="the folder of patched crates (default: the project's)")
    args = ap.parse_args()
    crates = patched_crates(args.patches)
    pristine = published(crates)
    with open(os.path.join(args.patches, "README.md")) as f:
        listed = sections(f.read())
    failures = []
    for name, version, folder in crates:
        ours, theirs = local(folder), pristine[name]
        changed = sorted(p for p in set(ours) | set(theirs) if p not in PACKAGING and ours.get(p) != theirs.get(p))
        lines = 0
        for path in changed:
            a = theirs.get(path, b"").decode("utf-8", "replace").splitlines(keepends=True)
            b = ours.get(path, b"").decode("utf-8", "replace").splitlines(keepends=True)
            diff = list(difflib.unified_diff(a, b, f"{name}-{version}/{path}", f"patches/{os.path.basename(folder)}/{path}"))
            lines += sum(1 for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---"))
            named = f"`{path}`" in listed.get(name, "")
            print(f"{name} {version}: {path} {'(listed)' if named else 'NOT LISTED in patches/README.md'}")
            if not named:
                failures.append(f"{name}/{path}")
            if args.diff is not None and (not args.diff or path in args.diff):
                sys.stdout.writelines(diff)
        print(f"{name} {version}: {len(changed)} of {len(ours)} files differ from the published crate, {lines} lines changed")
    if failures:
        sys.exit("files differ from the published crates without a change listed for them in patches/README.md: " + ", ".join(failures))


if __name__ == "__main__":
    main()
