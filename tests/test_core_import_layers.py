"""Imports flow one way: from the more specific package or room to the more general, never back.

Read from the source with ``ast`` (imports inside functions included), so a
new upward import fails here before it becomes a loop.
"""
import ast
import pathlib
import pkgutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# each package, and what it may import of the others
PACKAGES = {
    "core": set(),
    "notifications": {"core"},
    "intake": {"core", "notifications"},
    "casework": {"core", "notifications", "intake"},
}
# modules that wire everything together and so may import anything
WIRING = {"core/__init__.py", "casework/__init__.py", "casework/tasks.py", "casework/commands.py", "casework/demo.py"}

# casework's rooms, and which rooms each may import; "root" is what every room shares
ROOMS = {
    "root": set(),
    "clock": {"root"},
    "triage": {"root", "clock"},
    "console": {"root", "clock", "triage"},
    "admin": {"root", "clock", "triage"},
    # the contact desk takes requests through intake and shows cases as the console does
    "desk": {"root", "clock", "triage", "console"},
    # the staff API calls the console's own services: one copy of every rule
    "api": {"root", "clock", "triage", "console", "desk"},
    # supervisors work on the console's cases and the admins' team records (absences)
    "supervision": {"root", "clock", "triage", "console", "admin"},
    # the blueprint reads what every other room wrote; nothing reads it
    "insight": {"root", "clock", "admin", "supervision", "desk"},
    # what the public sees: the blueprint's measures and changes, told without staff, and its own admin page
    "public": {"root", "clock", "supervision", "insight"},
    # the citizens' voice on staff desktops: the console's access rules, the blueprint's measures
    "voice": {"root", "clock", "console", "insight"},
    # staff ideas: argued with the blueprint's figures, done as its process changes
    "ideas": {"root", "clock", "insight"},
    # history brought in counts as arrivals and is measured as any resolved case
    "history": {"root", "clock", "insight", "public"},
}


# core's own room: staff accounts; the rest of core may use its account row, tokens and password policy,
# never its pages or the services behind them
CORE_ROOM = "core.accounts"
CORE_MAY_USE = {"core.accounts", "core.accounts.models", "core.accounts.tokens", "core.accounts.passwords"}


def source_files():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def imported_modules(path):
    """Every module ``path`` imports, as dotted names (``from a import b`` gives ``a.b`` and ``a``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def room_of(module):
    """The casework room of a dotted module name, or None outside casework."""
    parts = module.split(".")
    if parts[0] != "casework":
        return None
    if len(parts) > 1 and parts[1] in ROOMS:
        return parts[1]
    return "root"


def is_package_module(dotted):
    candidate = ROOT.joinpath(*dotted.split("."))
    return candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists()


def relative(path):
    return path.relative_to(ROOT).as_posix()


def test_the_room_map_knows_every_casework_room():
    import casework

    rooms = {folder.name for folder in (ROOT / "casework").iterdir() if (folder / "__init__.py").exists()}
    assert rooms == set(ROOMS) - {"root"}, "a new room needs its place (and what it may import) in ROOMS"
    assert set(casework.ROOMS) == rooms, "casework wires every room, and only rooms"


def test_the_casework_package_only_lists_its_rooms():
    """``casework/__init__.py`` wires the shared root and then each room; it imports nothing else."""
    imported = set(imported_modules(ROOT / "casework" / "__init__.py"))
    assert imported <= {"importlib", "importlib.import_module", "casework", "casework.root"}, imported


@pytest.mark.parametrize("path", sorted((ROOT / "core").rglob("*.py")), ids=relative)
def test_core_uses_the_accounts_room_only_through_its_records(path):
    name = relative(path)
    if name.startswith("core/accounts/") or name == "core/__init__.py":
        return
    wrong = [module for module in imported_modules(path)
             if module.startswith(CORE_ROOM) and is_package_module(module) and module not in CORE_MAY_USE]
    assert not wrong, f"{name} reaches into the accounts room: {wrong}"


@pytest.mark.parametrize("path", list(source_files()), ids=relative)
def test_imports_flow_one_way(path):
    name = relative(path)
    if name in WIRING:
        return
    package = name.split("/")[0]
    module = name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    own_room = room_of(module)
    wrong = []
    for imported in imported_modules(path):
        top = imported.split(".")[0]
        if top not in PACKAGES or top == package and package != "casework":
            continue
        if top != package:
            if top not in PACKAGES[package]:
                wrong.append(f"{imported} (package {package} may not import {top})")
            continue
        if not is_package_module(imported) or imported == "casework":
            continue  # a name from a module, checked through the module itself
        room = room_of(imported)
        if room != own_room and room not in ROOMS[own_room]:
            wrong.append(f"{imported} (room {own_room} may not import room {room})")
        elif room != own_room and imported.endswith(".views"):
            wrong.append(f"{imported} (rooms share services, never each other's views)")
    assert not wrong, f"{name} imports upward: " + "; ".join(wrong)


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("test_*.py")), ids=relative)
def test_test_modules_share_helpers_through_support_modules_never_each_other(path):
    wrong = [module for module in imported_modules(path) if module.split(".")[-1].startswith("test_")
             and module.startswith("tests.") and is_package_module(module)]
    assert not wrong, f"{relative(path)} imports test modules: {wrong}"


@pytest.mark.parametrize("path", sorted((ROOT / "bench").rglob("*.py")), ids=relative)
def test_benchmarks_never_import_the_tests_and_the_harness_only_the_shared_helpers(path):
    """The tests use ``bench.harness`` (the real servers and processes); the benchmarks never use the tests."""
    modules = list(imported_modules(path))
    wrong = [module for module in modules if module.split(".")[0] == "tests"]
    if relative(path).startswith("bench/harness/"):
        wrong += [module for module in modules if module.startswith("bench.") and is_package_module(module)
                  and not module.startswith(("bench.harness", "bench.common"))]
    assert not wrong, f"{relative(path)} imports {wrong}"


def test_no_benchmark_script_is_named_like_a_library_it_could_hide():
    """A script run as ``python bench/x.py`` has bench/ first on its path, so a bench/public.py hid the library
    ``public`` that aiosmtpd imports, and bench/recovery.py could not start."""
    ours = {ROOT, ROOT / "bench"}
    installed = {module.name for module in pkgutil.iter_modules()
                 if pathlib.Path(module.module_finder.path).resolve() not in ours} | set(sys.stdlib_module_names)
    hiding = sorted(path.stem for path in (ROOT / "bench").glob("*.py") if path.stem in installed)
    assert not hiding, f"bench/ modules named like installed or standard modules: {hiding}"
