"""Who is asking: the viewer every read is filtered for, and the actor every write names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["Role", "Viewer"]


class Role(IntEnum):
    """Roles, each allowed what the ones below it are.

    An admin manages the accounts of their own nation; the installation's operator (the first
    administrator, made by ``comity init --admin``) manages every nation's.
    """

    VIEWER = 1
    ANALYST = 2
    PLANNER = 3
    APPROVER = 4
    ADMIN = 5
    OPERATOR = 6


@dataclass(frozen=True)
class Viewer:
    """The person or process a read or write is done for.

    Attributes:
        name: Who, as recorded in ``created_by`` / ``updated_by``.
        nation: The viewer's nation (ISO alpha-3); records are filtered by it.
        role: What the viewer may do.
        unrestricted: True for the local operator of the store (the CLI without an account),
            who sees every record; False for every account.
        user_id: The account's id, for a signed-in user.
        agency: The agency an approver decides for on plans (e.g. ``finance``), if any.
    """

    name: str
    nation: str | None = None
    role: Role = Role.VIEWER
    unrestricted: bool = False
    user_id: int | None = None
    agency: str | None = None

    @classmethod
    def operator(cls, name: str = "operator") -> Viewer:
        """The local operator of an embedded store: sees and may change everything."""
        return cls(name=name, role=Role.OPERATOR, unrestricted=True)

    @classmethod
    def public(cls) -> Viewer:
        """Someone who may see only PUBLIC records."""
        return cls(name="public")

    def may(self, role: Role) -> bool:
        """True when the viewer holds ``role`` or a higher one."""
        return self.role >= role

    @property
    def spans_nations(self) -> bool:
        """True for the installation's operator: accounts, jobs and the log of every nation."""
        return self.unrestricted or self.role >= Role.OPERATOR

    def may_manage(self, nation: str, role: Role) -> bool:
        """True when the viewer may create or change an account of ``nation`` holding ``role``.

        An admin manages their own nation's accounts, up to their own role; the installation's
        operator manages every nation's.
        """
        if not self.may(Role.ADMIN) or role > self.role:
            return False
        return self.spans_nations or nation == self.nation
