"""The staff API's reference page: Swagger UI, vendored, drawing /api/v1/openapi.json (no outside requests)."""
from flask import Blueprint, render_template, url_for

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates", static_folder="static",
               static_url_path="/static")


@bp.get("/docs")
def reference():
    return render_template("api/docs.html", document_url=url_for("api-docs.openapi_json"))
