"""The scenarios a run knows: the built-in pack and the project's own modules, loaded once."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import overload

from harness.errors import HarnessError, UnknownNameError
from harness.scenarios.base import Scenario

BUILTIN = "harness.packs.guide"


class ScenarioError(HarnessError):
    """A scenario module that cannot be loaded, or a scenario that cannot be right."""


class Registry(Sequence[Scenario]):
    """The loaded scenarios, in declaration order; a sequence every module can iterate."""

    def __init__(self) -> None:
        self._items: dict[str, Scenario] = {}
        self._by_module: dict[str, list[Scenario]] = {}
        self._loading: str | None = None
        self.modules: tuple[str, ...] = ()

    @overload
    def __getitem__(self, index: int) -> Scenario: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Scenario]: ...
    def __getitem__(self, index: int | slice) -> Scenario | Sequence[Scenario]:
        return list(self._items.values())[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Scenario]:
        return iter(list(self._items.values()))

    def get(self, name: str) -> Scenario:
        """The scenario called `name`, or an error listing the valid ones."""
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError("scenario", name, self._items) from None

    def declared(self, pack: str) -> list[Scenario]:
        """The scenarios `pack` has declared so far, in order (loaded or not)."""
        return list(self._by_module.get(pack, []))

    def declaring(self) -> str | None:
        """The module being loaded, whose scenario() calls this registry is collecting."""
        return self._loading

    def collect(self, scenario: Scenario) -> None:
        """A scenario() call: kept for its module; live at once when no module is loading."""
        mine = self._by_module.setdefault(scenario.pack, [])
        if any(s.name == scenario.name for s in mine):
            raise ScenarioError(f"duplicate scenario name {scenario.name!r} in "
                                f"{scenario.pack}; rename one")
        mine.append(scenario)
        if self._loading is None:
            self.add(scenario)

    def forget(self, scenario: Scenario) -> None:
        """Take a scenario declared outside any module load back out (tests, notebooks)."""
        self._items.pop(scenario.name, None)
        mine = self._by_module.get(scenario.pack, [])
        if scenario in mine:
            mine.remove(scenario)

    def add(self, scenario: Scenario) -> None:
        """Make a declared scenario live; a name already taken is an error."""
        taken = self._items.get(scenario.name)
        if taken is not None and taken is not scenario:
            raise ScenarioError(f"duplicate scenario name {scenario.name!r}: declared in "
                                f"{taken.pack} and in {scenario.pack}; rename one")
        self._items[scenario.name] = scenario

    def configure(self, modules: Sequence[str], builtin: bool = True,
                  root: Path | None = None) -> None:
        """Load the built-in pack (unless not wanted) and `modules`, in that order."""
        if root is not None and str(root) not in sys.path:
            sys.path.insert(0, str(root))  # the project's own modules import from its root
        self._items = {}
        wanted = ([BUILTIN] if builtin else []) + [m for m in modules if m != BUILTIN]
        for module in wanted:
            for scenario in self._load(module):
                self.add(scenario)
        self.modules = tuple(wanted)

    def extend(self, module: str) -> list[Scenario]:
        """Load one more module on top of the configured ones (a pytest collector loads the
        scenario module it collects); its scenarios, now live."""
        found = self._load(module)
        for scenario in found:
            self.add(scenario)
        if module not in self.modules:
            self.modules = (*self.modules, module)
        return found

    def unload(self, module: str) -> None:
        """Forget what `module` declared, so that a later load imports it afresh (an
        in-process pytest session that ends and drops the module from sys.modules)."""
        for scenario in self._by_module.pop(module, []):
            if self._items.get(scenario.name) is scenario:
                del self._items[scenario.name]
        self.modules = tuple(m for m in self.modules if m != module)

    def _load(self, module: str) -> list[Scenario]:
        if module in self._by_module:
            return list(self._by_module[module])
        self._loading = module
        try:
            importlib.import_module(module)
        except ScenarioError:
            raise
        except Exception as exc:  # a user module: any failure is one line, not a traceback
            raise ScenarioError(f"cannot import scenario module {module!r}: "
                                f"{type(exc).__name__}: {exc}") from None
        finally:
            self._loading = None
        found = list(self._by_module.get(module, []))
        if not found:
            raise ScenarioError(f"scenario module {module!r} declares no scenario: call "
                                f"harness.scenarios.scenario(...) in it")
        return found


SCENARIOS = Registry()
