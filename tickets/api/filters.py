from ..filters import TicketFilterSet

__all__ = ["TicketFilterSet"]
