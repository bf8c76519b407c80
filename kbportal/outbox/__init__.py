"""The transactional outbox: every side effect that leaves the process, recorded with the change that causes it.

A mail or a search-index update is written as a ``Delivery`` row in the same transaction as the ticket, the
reply or the article it belongs to, so a rollback takes it away and a commit keeps it, whatever happens next.
After the commit a worker delivers it (on the embedded default, this process, at once); a delivery that
fails is tried again later with exponential backoff, and a periodic sweep hands over anything whose task
the broker lost. A delivery is attempted by one process at a time (a lease on the row), and a mail carries
its delivery id as its Message-ID, so a mail sent again after a crash is the same mail to its recipient.

Use :func:`kbportal.outbox.services.mail_send` for mail and :func:`~kbportal.outbox.services.index_update`
(through ``kbportal.search.indexing.index_after_commit``) for the search index.
"""
