"""The open data's ``datapackage.json``: a Frictionless Data Package whose Table Schema describes every column."""
from flask import current_app, url_for

from casework.public.open_data import COLUMNS

# the agency chooses its licence (OPEN_DATA_LICENSE); public domain, as Boston and New York publish theirs
LICENCES = {
    "ODC-PDDL-1.0": ("Open Data Commons Public Domain Dedication and License",
                     "https://opendatacommons.org/licenses/pddl/1-0/"),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "ODC-BY-1.0": ("Open Data Commons Attribution License", "https://opendatacommons.org/licenses/by/1-0/"),
}


def field(name, kind, title, description):
    found = {"name": name, "type": kind, "title": title, "description": description}
    if kind == "boolean":
        found.update(trueValues=["true"], falseValues=["false"])
    return found


def descriptor():
    """The package: one resource, ``requests.csv`` beside it, with its schema and the agency's licence."""
    code = current_app.config["OPEN_DATA_LICENSE"]
    title, path = LICENCES[code]
    agency = current_app.config["AGENCY_NAME"]
    return {
        "name": "service-requests",
        "title": f"{agency}: service requests",
        "description": ("Every request made to the agency, one row each, without the name, contact details or "
                        "description of the person who made it. Updated continuously."),
        "homepage": url_for("open_data.open_data_page", _external=True),
        "licenses": [{"name": code, "title": title, "path": path}],
        "resources": [{
            "name": "requests", "path": "requests.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
            "schema": {"fields": [field(*column) for column in COLUMNS], "primaryKey": ["reference"],
                       "missingValues": [""]},
        }],
    }
