"""Reading a legacy export row by row, each with the line it starts on: CSV (with a header) or JSON lines."""
import csv
import json


class FileRefused(ValueError):
    """The file as a whole cannot be read (not UTF-8, no header, missing columns); the message says why."""


def records(path, kind, wanted_columns):
    """Yield ``(line, record or None, reason)`` for each row of ``path``: a dict of the row's values, or None
    with why it cannot be read. Raises ``FileRefused`` before the first row when the file cannot be used."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from (csv_records(handle, wanted_columns) if kind == "csv" else jsonl_records(handle))
    except UnicodeDecodeError as error:
        raise FileRefused(f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8 and run again") \
            from None
    except FileNotFoundError:
        raise FileRefused(f"There is no file {path}") from None


def csv_records(handle, wanted_columns):
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise FileRefused("The file is empty: a CSV export starts with a header row naming its columns")
    missing = sorted(set(wanted_columns) - set(reader.fieldnames))
    if missing:
        raise FileRefused(f"The file has no column {', '.join(missing)}: the mapping names it (the header has "
                          f"{', '.join(reader.fieldnames[:12])}{'...' if len(reader.fieldnames) > 12 else ''})")
    line = reader.line_num + 1
    for record in reader:
        if None in record:
            yield line, None, f"{len(record[None])} more value(s) than the header has columns"
        elif any(value is None for value in record.values()):
            yield line, None, "fewer values than the header has columns"
        else:
            yield line, record, None
        line = reader.line_num + 1


def jsonl_records(handle):
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield line, None, f"not JSON ({error.msg})"
            continue
        if not isinstance(record, dict):
            yield line, None, "not a JSON object"
            continue
        yield line, {key: "" if value is None else str(value) for key, value in record.items()}, None
