"""Triage: route a committed request to a queue, with its priority, due dates, likely duplicates, assignee and effort estimate."""
