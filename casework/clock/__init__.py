"""Business time and SLA clocks: the agency calendar, due dates, and the watch that warns before a breach."""
