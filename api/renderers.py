"""CSV and XLSX renderers for every list (``?format=csv`` / ``?format=xlsx``), built on the csv module
and openpyxl; both go through exports.cell(), which neutralises formula injection. A choice column shows its
label and a date column holds dates (the JSON keeps codes and ISO text): exports are read by people in a
spreadsheet."""

from rest_framework.renderers import BaseRenderer

from core.exports import cell_types_of, columns_of, csv_bytes, rows_of, table_of, xlsx_bytes


class TabularRenderer(BaseRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response, view = renderer_context.get("response"), renderer_context.get("view")
        if response is not None and response.status_code < 400:
            name = getattr(view, "export_name", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        serializer = _export_serializer(view, response)
        columns = columns_of(serializer) if serializer else None
        header, rows = table_of(rows_of(data), columns, cell_types_of(serializer) if serializer else None)
        return type(self).write_table(header, rows)


def _export_serializer(view, response):
    """The view's export serializer (its list serializer by default); None for errors."""
    if view is None or response is None or response.status_code >= 400:
        return None
    serializer_class = getattr(view, "export_serializer", None)
    if serializer_class is None and hasattr(view, "get_serializer_class"):
        serializer_class = view.get_serializer_class()
    return serializer_class() if serializer_class else None


class CSVRenderer(TabularRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    write_table = staticmethod(csv_bytes)


class XLSXRenderer(TabularRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    write_table = staticmethod(xlsx_bytes)
