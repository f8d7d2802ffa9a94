#!/usr/bin/env python3
"""The project's layout, checked: no import circle between the modules of a crate, and every
module named in `docs/layout.md`.

A module's imports are the `crate::…` paths in its files (its sub-modules' included), read at
the depth of the crate's top-level modules, plus each `super::` path of a sub-module; a circle
is two or more modules that reach each other through them.

    python3 scripts/check_layout.py            # both checks; exit 1 with what is wrong
    python3 scripts/check_layout.py --graph    # and print each crate's module graph
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The crates: (name, source folder).
CRATES = [("residue", "src"), ("residue-dsp", "crates/residue-dsp/src"), ("residue-render", "crates/residue-render/src")]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def modules(src):
    """{module path (`editor::view`): file} of a crate, the root (lib.rs) as ``."""
    out = {}
    for base, _, names in os.walk(src):
        for n in names:
            if not n.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(base, n), src)[:-3].split(os.sep)
            if rel[0] == "bin":
                continue
            if rel[-1] in ("mod", "lib"):
                rel = rel[:-1]
            out["::".join(rel)] = os.path.join(base, n)
    return out


def graph(src):
    """{top-level module: set of top-level modules it imports} of a crate, and the same for
    the sub-modules of each folder module (`editor::view` -> `editor::axes` through super::)."""
    mods = modules(src)
    top = {m.split("::")[0] for m in mods if m}
    edges = {m: set() for m in mods if m}
    # Names the crate root re-exports (`pub use settings::{Settings, …}`): `crate::Settings` is
    # an import of `settings`.
    exported = {}
    with open(mods[""]) as f:
        root = strip_comments(f.read())
    for module, names in re.findall(r"pub use (\w+)::\{([^}]*)\}", root):
        for name in re.findall(r"\w+", names):
            exported[name] = module
    for module, name in re.findall(r"pub use (\w+)::(\w+);", root):
        exported[name] = module
    for m, path in mods.items():
        if not m:
            continue
        with open(path) as f:
            text = strip_comments(f.read())
        parts = m.split("::")
        # `use crate::{a, b::c}` and inline `crate::a::x` paths.
        for group in re.findall(r"crate::\{([^}]*)\}", text):
            for name in re.findall(r"(?:^|,)\s*(\w+)", group):
                name = exported.get(name, name)
                if name in top and name != parts[0]:
                    edges[parts[0]].add(name)
        for name in re.findall(r"crate::(\w+)", text):
            name = exported.get(name, name)
            if name in top and name != parts[0]:
                edges[parts[0]].add(name)
        # `super::x`: a sibling in the module's folder (a top-level module's `super` is the
        # crate root).
        parent = "::".join(parts[:-1])
        names = re.findall(r"super::(\w+)", text)
        for group in re.findall(r"super::\{([^}]*)\}", text):
            names += re.findall(r"(?:^|,)\s*(\w+)", group)
        for name in names:
            sibling = f"{parent}::{name}" if parent else exported.get(name, name)
            if sibling in edges and sibling != m and sibling.split("::")[0] == parts[0] or (not parent and sibling in top and sibling != m):
                edges[m if parent else parts[0]].add(sibling)
    return edges


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def layout_section(root):
    path = os.path.join(root, "docs", "layout.md")
    if not os.path.exists(path):
        return ""
    with open(path) as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", action="store_true")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args()
    problems = []
    layout = layout_section(args.root)
    if not layout:
        problems.append("docs/layout.md is missing")
    # A file is named by its path, or by the end of it (`editor/mod.rs`, `engine.rs`).
    named = set(re.findall(r"`([^`\s]+\.rs)`", layout))
    for crate, src in CRATES:
        folder = os.path.join(args.root, src)
        edges = graph(folder)
        if args.graph:
            for m in sorted(edges):
                print(f"{crate}: {m} -> {', '.join(sorted(edges[m])) or '-'}")
        for c in cycles(edges):
            problems.append(f"{crate}: import circle between {', '.join(c)}")
        for base, _, names in os.walk(folder):
            for n in sorted(names):
                if n.endswith(".rs"):
                    rel = os.path.relpath(os.path.join(base, n), args.root)
                    if not any(rel == t or rel.endswith("/" + t) for t in named):
                        problems.append(f"{rel} is not named in docs/layout.md")
    for p in problems:
        print(p)
    print(f"layout: {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
