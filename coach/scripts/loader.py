"""YAML call scripts → validated ``Script`` objects, with every problem located.

Resolves ``extends:`` (inherit a base script, override stages/objections by id) and
``include:`` (shared objection libraries) before validation, keeping line numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coach.errors import Problem, ScriptError
from coach.scripts.model import END, ObjectionLibrary, Script
from coach.validation import (
    problem_at,
    problems_from,
    sort_problems,
    suggest,
    validate_located,
)
from coach.yamlsource import (
    YAML_SUFFIXES,
    LocatedDict,
    LocatedList,
    load_yaml_file,
    locate,
    yaml_files,
)

LIBRARY_DIR = "libraries"
MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class ScriptEntry:
    """One script file found on the search path (for `coach script list`)."""

    id: str
    title: str
    language: str
    industry: str
    path: Path
    abstract: bool = False


def is_path_ref(ref: str) -> bool:
    return ref.endswith(YAML_SUFFIXES) or "/" in ref or "\\" in ref


def script_files(dirs: Sequence[Path]) -> list[Path]:
    """Script YAML files directly inside each directory (libraries live in a subfolder)."""
    return yaml_files(dirs)


def list_scripts(dirs: Sequence[Path]) -> list[ScriptEntry]:
    """Scripts on the search path; the first directory wins when ids repeat."""
    entries: dict[str, ScriptEntry] = {}
    for path in script_files(dirs):
        data, _ = load_yaml_file(path)
        if not isinstance(data, dict):
            continue
        sid = str(data.get("id") or path.stem)
        if sid in entries:
            continue
        entries[sid] = ScriptEntry(
            id=sid,
            title=str(data.get("title", "")),
            language=str(data.get("language", "")),
            industry=str(data.get("industry", "")),
            path=path,
            abstract=bool(data.get("abstract", False)),
        )
    return sorted(entries.values(), key=lambda e: (e.abstract, e.industry, e.id))


def find_script(ref: str, dirs: Sequence[Path], relative_to: Path | None = None) -> Path:
    """A script reference (id or path) → its file. Raises ScriptError listing near ids."""
    if is_path_ref(ref) or Path(ref).is_file():
        candidate = Path(ref)
        if not candidate.is_absolute() and relative_to is not None:
            candidate = relative_to.parent / candidate
        if candidate.exists() or is_path_ref(ref):
            return candidate
    # A base next to the script wins: a trainer's folder is self-contained.
    near = [relative_to.parent] if relative_to is not None else []
    for folder in [*near, *dirs]:
        for suffix in YAML_SUFFIXES:
            direct = folder / f"{ref}{suffix}"
            if direct.is_file():
                return direct
    known = list_scripts([*near, *dirs])
    for entry in known:
        if entry.id == ref:
            return entry.path
    hint = suggest(ref, [e.id for e in known])
    raise ScriptError(f"no script '{ref}' in {_dirs_text(dirs)}{hint}")


def _dirs_text(dirs: Sequence[Path]) -> str:
    existing = [str(d) for d in dirs if d.is_dir()]
    return ", ".join(existing) if existing else "any template directory"


def find_library(ref: str, dirs: Sequence[Path], relative_to: Path) -> Path | None:
    if is_path_ref(ref):
        candidate = Path(ref)
        return candidate if candidate.is_absolute() else relative_to.parent / candidate
    for folder in [relative_to.parent, *dirs]:
        for suffix in YAML_SUFFIXES:
            path = folder / LIBRARY_DIR / f"{ref}{suffix}"
            if path.is_file():
                return path
    return None


class _Resolver:
    """Reads one script with its bases and libraries, collecting every problem."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = list(dirs)
        self.problems: list[Problem] = []
        self.broken_base = False  # then validating the child would only repeat the cause

    def raw(self, path: Path, chain: tuple[Path, ...] = ()) -> LocatedDict | None:
        data, problems = load_yaml_file(path)
        self.problems += problems
        if data is None:
            return None
        if not isinstance(data, LocatedDict):
            self.problems.append(
                Problem("a script must be a mapping of keys (id, title, stages, …)", str(path), 1)
            )
            return None
        data = self._extend(data, path, chain)
        self._include(data, path)
        self._omit(data)
        return data

    def _at(self, data: Any, path: tuple[str | int, ...], message: str, file: Path) -> None:
        self.problems.append(problem_at(message, locate(data, path), str(file)))
        if path == ("extends",):
            self.broken_base = True

    def _extend(self, data: LocatedDict, path: Path, chain: tuple[Path, ...]) -> LocatedDict:
        ref = data.get("extends")
        if ref is None:
            return data
        if not isinstance(ref, str):
            self._at(data, ("extends",), "extends must be a script id or a file path", path)
            return data
        try:
            base_path = find_script(ref, self.dirs, relative_to=path)
        except ScriptError as exc:
            self._at(data, ("extends",), exc.problems[0].message, path)
            return data
        if not base_path.is_file():
            self._at(data, ("extends",), f"extends: no file {base_path}", path)
            return data
        here = path.resolve()
        if base_path.resolve() in (*chain, here):
            self._at(data, ("extends",), f"extends: '{ref}' leads back to this script", path)
            return data
        if len(chain) >= MAX_EXTENDS_DEPTH:
            self._at(data, ("extends",), "extends: chain of bases is too deep", path)
            return data
        base = self.raw(base_path, (*chain, here))
        if base is None:
            self._at(data, ("extends",), f"extends: base '{ref}' has errors (see above)", path)
            return data
        return self._merge(base, data, path)

    def _merge(self, base: LocatedDict, child: LocatedDict, path: Path) -> LocatedDict:
        out = LocatedDict()
        out.location = child.location
        for key, value in base.items():
            if key in ("id", "abstract", "omit", "include"):
                continue  # not inherited: each script names itself
            out[key] = value
            out.key_locations[key] = base.key_locations[key]
        for key, value in child.items():
            if key in ("stages", "objections", "variables") and isinstance(
                out.get(key), LocatedList
            ):
                value = self._merge_list(out[key], value, key, path, child)
            out[key] = value
            out.key_locations[key] = child.key_locations[key]
        return out

    def _merge_list(
        self, base: LocatedList, child: Any, key: str, path: Path, owner: LocatedDict
    ) -> Any:
        if not isinstance(child, LocatedList):
            return child  # pydantic will say what is wrong with it
        ident = "name" if key == "variables" else "id"
        merged = LocatedList(base)
        merged.location = child.location
        merged.item_locations = list(base.item_locations)
        previous: str | None = None
        for index, item in enumerate(child):
            location = child.item_locations[index]
            item_id = item.get(ident) if isinstance(item, LocatedDict) else None
            ids = [m.get(ident) if isinstance(m, dict) else None for m in merged]
            if item_id is not None and item_id in ids:
                at = ids.index(item_id)
                merged[at] = _overlay(merged[at], item)
                merged.item_locations[at] = location
            else:
                anchor = item.get("after") if isinstance(item, LocatedDict) else None
                if anchor is not None and anchor not in ids:
                    self._at(
                        owner,
                        (key, index, "after"),
                        f"after: no {key[:-1]} '{anchor}' in the base"
                        + suggest(str(anchor), [str(i) for i in ids if i]),
                        path,
                    )
                    anchor = None
                anchor = anchor or previous
                at = ids.index(anchor) + 1 if anchor in ids else len(merged)
                merged.insert(at, item)
                merged.item_locations.insert(at, location)
            previous = item_id if isinstance(item_id, str) else previous
        return merged

    def _include(self, data: LocatedDict, path: Path) -> None:
        refs = data.get("include")
        if refs is None:
            return
        if not isinstance(refs, list):
            self._at(data, ("include",), "include must be a list of objection libraries", path)
            return
        library_objections = LocatedList()
        for index, ref in enumerate(refs):
            if not isinstance(ref, str):
                self._at(data, ("include", index), "include: expected a library id or path", path)
                continue
            lib_path = find_library(ref, self.dirs, path)
            if lib_path is None or not lib_path.is_file():
                self._at(data, ("include", index), f"include: no objection library '{ref}'", path)
                continue
            library = self._library(lib_path)
            if library is not None:
                items = library["objections"]
                library_objections += items
                library_objections.item_locations += items.item_locations
        own = data.get("objections")
        if isinstance(own, LocatedList):
            merged = self._merge_list(library_objections, own, "objections", path, data)
        elif own is None:
            merged = library_objections
        else:
            return
        data["objections"] = merged
        data.key_locations.setdefault("objections", data.key_locations.get("include", _first(data)))

    def _library(self, path: Path) -> LocatedDict | None:
        data, problems = load_yaml_file(path)
        self.problems += problems
        if not isinstance(data, LocatedDict):
            if data is not None:
                self.problems.append(Problem("an objection library must be a mapping", str(path)))
            return None
        try:
            ObjectionLibrary.model_validate(data)
        except ValidationError as exc:
            self.problems += problems_from(exc, ObjectionLibrary, data)
            return None
        return data

    def _omit(self, data: LocatedDict) -> None:
        omit = data.get("omit")
        if not isinstance(omit, list):
            return
        for index, name in enumerate(omit):
            found = False
            for key in ("stages", "objections"):
                items = data.get(key)
                if not isinstance(items, LocatedList):
                    continue
                keep = [
                    i
                    for i, item in enumerate(items)
                    if not (isinstance(item, dict) and item.get("id") == name)
                ]
                if len(keep) != len(items):
                    found = True
                    kept = LocatedList(items[i] for i in keep)
                    kept.location = items.location
                    kept.item_locations = [items.item_locations[i] for i in keep]
                    data[key] = kept
            if not found:
                where = locate(data, ("omit", index))
                self.problems.append(
                    problem_at(f"omit: no inherited stage or objection '{name}'", where)
                )


def _first(data: LocatedDict) -> Any:
    return next(iter(data.key_locations.values()), data.location)


def _overlay(base: Any, child: Any) -> Any:
    """A child stage/objection overrides the base one key by key."""
    if not (isinstance(base, LocatedDict) and isinstance(child, LocatedDict)):
        return child
    out = LocatedDict()
    out.location = child.location
    for source in (base, child):
        for key, value in source.items():
            if key == "after":
                continue
            out[key] = value
            out.key_locations[key] = source.key_locations[key]
    return out


def _references(data: LocatedDict, source: Path) -> list[Problem]:
    """Cross-references pydantic cannot see: duplicate ids, dangling `next`s.

    Works on the raw data so these are reported together with type errors.
    """
    problems: list[Problem] = []

    def at(message: str, *path: str | int) -> None:
        problems.append(problem_at(message, locate(data, path), str(source)))

    def items(key: str) -> list[tuple[int, LocatedDict]]:
        value = data.get(key)
        if not isinstance(value, list):
            return []
        return [(i, item) for i, item in enumerate(value) if isinstance(item, LocatedDict)]

    for key, attr in (("stages", "id"), ("objections", "id"), ("variables", "name")):
        seen: set[str] = set()
        for index, item in items(key):
            value = item.get(attr)
            if not isinstance(value, str):
                continue
            if value in seen:
                at(f"duplicate {key[:-1]} {attr} '{value}'", key, index, attr)
            seen.add(value)
    stage_ids = [str(s.get("id")) for _, s in items("stages") if isinstance(s.get("id"), str)]
    targets = [*stage_ids, END]
    for index, stage in items("stages"):
        name = stage.get("id", index)
        target = stage.get("next")
        if isinstance(target, str) and target not in targets:
            at(
                f"stage '{name}': next '{target}' is not a stage id or 'end'"
                + suggest(target, stage_ids),
                "stages",
                index,
                "next",
            )
        branches = stage.get("branches")
        for b_index, branch in enumerate(branches if isinstance(branches, list) else []):
            target = branch.get("next") if isinstance(branch, dict) else None
            if isinstance(target, str) and target not in targets:
                at(
                    f"stage '{name}': branch '{branch.get('answer', b_index)}' goes to unknown "
                    f"stage '{target}'" + suggest(target, stage_ids),
                    "stages",
                    index,
                    "branches",
                    b_index,
                    "next",
                )
    return problems


def load_script(ref: str | Path, dirs: Sequence[Path] = ()) -> Script:
    """Load one script by id or path. Raises ScriptError with *all* problems found."""
    path = ref if isinstance(ref, Path) else find_script(ref, dirs)
    resolver = _Resolver(dirs)
    data = resolver.raw(path)
    problems = list(resolver.problems)
    script: Script | None = None
    if data is not None and not resolver.broken_base:
        script, found = validate_located(Script, data, path)
        problems += found + _references(data, path)
    if problems or script is None:
        raise ScriptError(problems=sort_problems(_unique(problems)))
    return script


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
