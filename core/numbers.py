"""Numbers as people read them, the same on every page: shares as whole percentages."""
from decimal import ROUND_HALF_UP, Decimal


def whole_percent(share):
    """``0.465`` as ``"47%"``: rounded half up, as people round (not truncated, not to even)."""
    if share is None:
        return ""
    return f"{Decimal(str(share * 100)).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"
