"""Forget the banner's cached list when a notice is saved or deleted (decoupled cache invalidation).

It is forgotten at once, so this process never serves the old list, and again after commit, so no
other process keeps a list it read between the write and the commit.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ServiceNotice
from .selectors import forget_banner


@receiver(post_save, sender=ServiceNotice, dispatch_uid="announcements.notice_saved")
@receiver(post_delete, sender=ServiceNotice, dispatch_uid="announcements.notice_deleted")
def _notice_changed(sender, **kwargs) -> None:
    forget_banner()
    transaction.on_commit(forget_banner)
