"""Signals intake sends so that higher packages can act without intake importing them."""
from blinker import Namespace

_signals = Namespace()

# sent after a new request is committed; receivers get ``request_id``
request_submitted = _signals.signal("request-submitted")
