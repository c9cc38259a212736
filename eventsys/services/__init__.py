"""The rules of eventsys, free of requests, sessions and flash messages."""
