"""The admin area: the service catalogue, routing rules, queues and absences, calendar, message wording and API keys."""
