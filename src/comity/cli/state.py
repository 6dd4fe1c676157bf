"""What every command shares: the store URL and the output options chosen on the command line."""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from comity.access.viewer import Viewer
from comity.errors import AuthenticationError

if TYPE_CHECKING:
    from comity.store import Store

__all__ = ["CliState", "state_of"]


@dataclass
class CliState:
    """Options of the ``comity`` command itself.

    Attributes:
        database: The store URL (``--database`` or ``COMITY_DATABASE_URL``), or None for the
            embedded default.
        verbose: Show more detail (every validation problem, info logs).
        debug: Show tracebacks.
        as_user: An account to act as (``--user``): reads show what it may see, writes are
            recorded in its name and need its role.
    """

    database: str | None = None
    verbose: bool = False
    debug: bool = False
    as_user: str | None = None
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        """The store, opened on first use and checked to be initialised and up to date.

        Raises:
            StoreUnavailableError: When it cannot be opened, was never initialised, or is
                behind the latest migration (the hint says to run ``comity init``).
        """
        store = self.store_as_is()
        store.check_ready()
        return store

    def store_as_is(self) -> Store:
        """The store, opened on first use but not checked, whatever its schema.

        For the commands that look after the store: ``init``, ``status``, ``backup``, ``restore``.

        Raises:
            StoreUnavailableError: When the URL is malformed or its driver is missing.
        """
        if self._store is None:
            # Imported here: SQLAlchemy and the settings are loaded only by commands that need them.
            from comity.config import get_settings
            from comity.store import open_store

            self._store = open_store(self.database or get_settings().database_url)
        return self._store

    def viewer(self) -> Viewer:
        """Who the CLI acts for: the ``--user`` account, else the store's local operator.

        Raises:
            NotFoundError: When the ``--user`` account does not exist.
            AuthenticationError: When it is disabled.
        """
        if self.as_user:
            from comity.services import accounts

            user = accounts.get_user(self.store(), username=self.as_user)
            if user.disabled:
                raise AuthenticationError(f"The account {user.username} is disabled.")
            return accounts.viewer_of(user)
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "operator"
        return Viewer.operator(f"cli:{name}")

    def close(self) -> None:
        """Finish the results still being written to the store, then release its connections.

        A result answered from memory is written on a background thread; closing first would
        let that thread open a connection nobody closes.
        """
        if self._store is not None:
            cache = sys.modules.get("comity.services.cache")
            if cache is not None:
                cache.wait_for_results()
            self._store.dispose()


def state_of(ctx: typer.Context) -> CliState:
    """The shared state of the running command."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
