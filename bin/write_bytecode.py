"""Import the named modules once, so Python writes their bytecode and their libraries'.

Usage: python bin/write_bytecode.py name [name ...]. A package of this repository (a folder here) is
imported module by module; a library only as far as importing its name reaches. A module that fails to
import is skipped: this only warms a cache.

bin/lib.sh runs it after an install. Without it, the first processes a test run starts (two test
workers, gunicorn, RQ workers, each importing the app at once) each compiled the same libraries: a
CI run's parallel phase took 5 min 32 s against 4 min 52 s with the bytecode written. Compiling every
installed file instead takes 21 s here; this, 8 s.
"""
import importlib
import pkgutil
import sys
from pathlib import Path


def import_everything(name):
    """Import ``name`` and, if it is a package of this repository, every module under it."""
    if not importable(name) or not Path(name).is_dir():
        return
    package = sys.modules[name]
    # a package that fails while being walked is passed over (onerror), as is a module that fails to import
    for module in pkgutil.walk_packages(getattr(package, "__path__", []), prefix=f"{name}.", onerror=lambda _: None):
        importable(module.name)


def importable(name):
    """Import ``name``; False if it fails in any way (some test helpers of libraries raise pytest's Skipped,
    which is no Exception)."""
    try:
        importlib.import_module(name)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: B036 - see the docstring
        return False
    return True


if __name__ == "__main__":
    for name in sys.argv[1:]:
        import_everything(name)
