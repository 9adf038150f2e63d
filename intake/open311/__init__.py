"""Open311 GeoReport v2: the catalogue and requests for existing 311 apps, in JSON and XML."""
