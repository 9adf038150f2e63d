"""The caseworker console: lists, the case page and the actions staff take on cases."""
