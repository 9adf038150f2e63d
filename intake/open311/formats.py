"""Open311's two wire formats: JSON (lists as bare arrays) and namespace-free XML with the spec's names.

The format is the path's extension (``requests.json``, ``requests.xml``),
checked once per call by ``take_format``; every answer then goes out in it
through ``respond``, ``respond_object`` or ``error``.
"""
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response, g, jsonify, request

FORMATS = ("json", "xml")
# XML wraps each list in a plural element; JSON sends the bare array
XML_NAMES = {"services": "service", "service_requests": "request", "errors": "error", "discovery": None,
             "service_request_updates": "request_update"}


def take_format(endpoint, values):
    """URL value preprocessor: take ``fmt`` out of the view's arguments into ``g.open311_format``."""
    if values is not None and "fmt" in values:
        g.open311_format = values.pop("fmt")


def refuse_unknown_format():
    """Before each view: a path ending in neither ``.json`` nor ``.xml`` is a 404, said in JSON."""
    if getattr(g, "open311_format", None) not in FORMATS:
        g.open311_format = "json"
        return error(404, "Formats are json and xml")
    return None


def answer_format():
    """The call's format; for a call that failed before routing, guessed from its path."""
    chosen = getattr(g, "open311_format", None)
    if chosen in FORMATS:
        return chosen
    return "xml" if request.path.endswith(".xml") else "json"


def xml_value(parent, name, value):
    element = SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            xml_value(element, key, item)
    elif isinstance(value, list):
        singular = name[:-1] if name.endswith("s") else name
        for item in value:
            xml_value(element, singular, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def as_xml(element, status):
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8")
    return Response(body, status=status, mimetype="text/xml")


def as_json(value, status):
    response = jsonify(value)
    response.status_code = status
    return response


def respond(root, items, status=200):
    """Answer ``items`` (a list of dicts): a JSON array, or ``<root><item>...`` XML."""
    if answer_format() == "xml":
        element = Element(root)
        for item in items:
            xml_value(element, XML_NAMES.get(root) or root, item)
        return as_xml(element, status)
    return as_json(items, status)


def respond_object(root, item, status=200):
    """Answer a single object (the discovery document)."""
    if answer_format() == "xml":
        element = Element(root)
        for key, value in item.items():
            xml_value(element, key, value)
        return as_xml(element, status)
    return as_json(item, status)


def error(status, description):
    """The spec's error list: ``[{"code": 400, "description": "..."}]``."""
    return respond("errors", [{"code": status, "description": description}], status)
