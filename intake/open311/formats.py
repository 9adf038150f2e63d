"""Open311's two wire formats: JSON (lists as bare arrays) and namespace-free XML with the spec's names."""
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response, jsonify

# XML wraps each list in a plural element; JSON sends the bare array
XML_NAMES = {"services": "service", "service_requests": "request", "errors": "error", "discovery": None,
             "service_request_updates": "request_update"}


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


def respond(fmt, root, items, status=200):
    """Answer ``items`` (a list of dicts) in ``fmt``: a JSON array, or ``<root><item>...`` XML."""
    if fmt == "xml":
        element = Element(root)
        for item in items:
            xml_value(element, XML_NAMES.get(root) or root, item)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8")
        return Response(body, status=status, mimetype="text/xml")
    response = jsonify(items)
    response.status_code = status
    return response


def respond_object(fmt, root, item, status=200):
    """Answer a single object (the discovery document) in ``fmt``."""
    if fmt == "xml":
        element = Element(root)
        for key, value in item.items():
            xml_value(element, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8")
        return Response(body, status=status, mimetype="text/xml")
    response = jsonify(item)
    response.status_code = status
    return response


def error(fmt, status, description):
    """The spec's error list: ``[{"code": 400, "description": "..."}]``."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status)
