"""Real servers and Tandem's own processes on loopback, for the benchmarks and the tests that break them.

``processes`` starts the Procfile's processes, a PostgreSQL cluster and a
redis-server of their own; ``mailserver`` and ``imapserver`` are a real SMTP
server (aiosmtpd) and IMAP server (Debian's dovecot); ``faults`` is a whole
deployment and the outages an operator meets, measured. The test suite and
``bench/`` both use them; this package imports neither.
"""
