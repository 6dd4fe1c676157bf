"""Who may see and do what: viewers, roles and the rules of releasability."""

from comity.access.viewer import Role, Viewer

__all__ = ["Role", "Viewer"]
