"""The commissioner's monitoring of its practices: visits, calls, meetings, follow-ups, readiness reviews and review
notes on a forward plan's actions after handover."""
