from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    """The project-wide default: a view that does not say who may use it serves nobody."""

    def has_permission(self, request, view) -> bool:
        return False

    def has_object_permission(self, request, view, obj) -> bool:
        return False
